"""Decisions: what a strategy does after one event, sent as one answer."""

import re

from . import decimals
from .account import replaced
from .trading.v1 import strategy_pb2, trading_pb2
from .events import GTC, LIMIT, MARKET, Order

_TAG = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class Decisions:
    """Collects place, cancel and replace for the answer to one event.

    Each call is checked here first (a float, a bad tag, a tag already live)
    and raises ValueError or TypeError at the line that made the mistake;
    the daemon checks everything again and refuses on the stream what it
    will not do (on_refused).
    """

    def __init__(self, account, event_sequence, answerable=True):
        self._account = account
        self._sequence = event_sequence
        self._answerable = answerable
        self._decisions = []

    def __len__(self):
        return len(self._decisions)

    def place(self, symbol, side, quantity, price=None, *, tag=None, type=None,
              time_in_force=None, post_only=False):
        """Places an order and returns its tag.

        quantity and price are Decimals or strings (never floats). With a
        price it is a limit order, without one a market order, unless type
        says otherwise. A limit order rests until cancelled (GTC) unless
        time_in_force says IOC; a market order is always IOC. tag defaults to one made from the event's sequence,
        which never repeats in a session.
        """
        self._check_open()
        qty = decimals.to_decimal(quantity, "quantity")
        if qty <= 0:
            raise ValueError("quantity %s is not positive" % qty)
        px = None if price is None else decimals.to_decimal(price, "price")
        if px is not None and px <= 0:
            raise ValueError("price %s is not positive" % px)
        if type is None:
            type = MARKET if px is None else LIMIT
        if time_in_force is None:
            time_in_force = GTC if type == LIMIT else trading_pb2.TIME_IN_FORCE_UNSPECIFIED
        if side not in (trading_pb2.ORDER_SIDE_BUY, trading_pb2.ORDER_SIDE_SELL):
            raise ValueError("side %r is neither BUY nor SELL" % (side,))
        if tag is None:
            tag = "s%d.%d" % (self._sequence, len(self._decisions))
        self._check_tag(tag)
        if tag in self._account._orders:
            raise ValueError("tag %r is already live; tags are unique among live orders" % tag)
        index = len(self._decisions)
        self._decisions.append(strategy_pb2.StrategyDecision(place=strategy_pb2.PlaceOrder(
            tag=tag, symbol=symbol, side=side, type=type, time_in_force=time_in_force,
            post_only=post_only, quantity=decimals.to_wire(qty),
            price="" if px is None else decimals.to_wire(px))))
        self._account._orders[tag] = Order(
            tag=tag, symbol=symbol, side=side, type=type, time_in_force=time_in_force,
            quantity=qty, price=px, post_only=post_only,
            pending=[(self._sequence, index, "place")])
        return tag

    def cancel(self, tag):
        """Cancels the live order tagged tag."""
        self._check_open()
        o = self._live(tag)
        o.cancelling = True
        o.pending.append((self._sequence, len(self._decisions), "cancel"))
        self._decisions.append(strategy_pb2.StrategyDecision(
            cancel=strategy_pb2.CancelOrder(tag=tag)))

    def replace(self, tag, quantity, price):
        """Moves the live limit order tagged tag to a new quantity and price
        (the daemon cancels it and places the new one under the same tag)."""
        self._check_open()
        o = self._live(tag)
        if o.in_flight or not o.client_order_id:
            raise ValueError("order %r is not acknowledged yet; replace it once on_order says so" % tag)
        if o.type != LIMIT:
            raise ValueError("order %r is not a limit order" % tag)
        qty = decimals.to_decimal(quantity, "quantity")
        px = decimals.to_decimal(price, "price")
        if qty <= 0 or px <= 0:
            raise ValueError("quantity %s and price %s must be positive" % (qty, px))
        pending = [(self._sequence, len(self._decisions), "replace")]
        self._decisions.append(strategy_pb2.StrategyDecision(replace=strategy_pb2.ReplaceOrder(
            tag=tag, quantity=decimals.to_wire(qty), price=decimals.to_wire(px))))
        self._account._orders[tag] = replaced(o, qty, px, pending)

    def _answer(self):
        return strategy_pb2.StrategyAnswer(event_sequence=self._sequence,
                                           decisions=self._decisions)

    def _check_open(self):
        if not self._answerable:
            raise RuntimeError("event %d takes no answer: decide in on_book, on_trade or on_timer"
                               % self._sequence)

    def _live(self, tag):
        o = self._account._orders.get(tag)
        if o is None:
            raise ValueError("no live order is tagged %r" % (tag,))
        return o

    @staticmethod
    def _check_tag(tag):
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise ValueError("tag %r: 1 to 64 of [A-Za-z0-9._:-]" % (tag,))
