"""Account: the strategy's positions, cash and live orders, tracked exactly.

It starts from every snapshot (the daemon's truth on each attach) and moves
with the fills and order updates the stream carries and the decisions the
strategy takes, so a strategy never reads a figure the daemon does not hold:
a fill changes cash as the daemon books it (the notional rounded half away
from zero to 8 places, then the fee).
"""

import dataclasses

from . import decimals
from .trading.v1 import trading_pb2
from .events import (BUY, FINAL_STATES, Filters, Fill, Order, OrderUpdate, strategy_order_fields,
                    timestamp)


class Account:
    """Positions, cash and live orders by tag; read it in any callback."""

    def __init__(self):
        self.session_id = ""
        # Cash of the session's account in the quote currency: the last
        # snapshot's plus the fills since (interest on a margin loan shows
        # at the next snapshot).
        self.cash = decimals.ZERO
        self._positions = {}
        self._orders = {}
        self._filters = {}

    def position(self, symbol):
        """The signed position in symbol's base asset (0 if none)."""
        return self._positions.get(symbol, decimals.ZERO)

    def positions(self):
        """Every non-zero position, by symbol."""
        return {s: q for s, q in self._positions.items() if q != 0}

    def order(self, tag):
        """The live (or in-flight) order tagged tag, or None."""
        return self._orders.get(tag)

    def open_orders(self, symbol=None):
        """Live and in-flight orders, of symbol if given, by tag order."""
        return [o for _, o in sorted(self._orders.items())
                if symbol is None or o.symbol == symbol]

    def filters(self, symbol):
        """symbol's order rules from the snapshot (no rule if unknown)."""
        return self._filters.get(symbol, Filters())

    # What the stream does to the account; run() calls these.

    def _reset(self, snap):
        self.session_id = snap.session_id
        self.cash = decimals.parse(snap.cash) if snap.cash else decimals.ZERO
        self._positions = {p.symbol: decimals.parse(p.quantity) for p in snap.positions}
        # In-flight decisions of a previous attachment were dropped by the
        # daemon with it; the snapshot lists what is live.
        self._orders = {}
        for o in snap.open_orders:
            self._orders[o.tag] = Order(in_flight=False, **strategy_order_fields(o))
        self._filters = {
            f.symbol: Filters(decimals.parse_optional(f.tick_size) or decimals.ZERO,
                              decimals.parse_optional(f.lot_size) or decimals.ZERO,
                              decimals.parse_optional(f.min_notional) or decimals.ZERO)
            for f in snap.symbols}

    def _apply_update(self, ev):
        u = ev.order
        wire = u.order
        fields = strategy_order_fields(wire)
        fill = None
        if u.HasField("fill"):
            fill = Fill(decimals.parse(u.fill.quantity), decimals.parse(u.fill.price),
                        decimals.parse_optional(u.fill.fee) or decimals.ZERO,
                        timestamp(u.fill.time) if u.fill.HasField("time") else None)
            self._book_fill(wire.symbol, wire.side, fill)
        self._track(fields)
        return OrderUpdate(sequence=ev.sequence, time=timestamp(ev.time), tag=wire.tag,
                           client_order_id=wire.client_order_id, symbol=wire.symbol,
                           side=wire.side, state=wire.state, quantity=fields["quantity"],
                           price=fields["price"], filled=fields["filled"], fill=fill,
                           reason=u.reason)

    def _book_fill(self, symbol, side, fill):
        notional = decimals.mul(fill.quantity, fill.price)
        if side == BUY:
            self._positions[symbol] = self.position(symbol) + fill.quantity
            self.cash = self.cash - notional - fill.fee
        else:
            self._positions[symbol] = self.position(symbol) - fill.quantity
            self.cash = self.cash + notional - fill.fee

    def _track(self, f):
        tag, cid, final = f["tag"], f["client_order_id"], f["state"] in FINAL_STATES
        o = self._orders.get(tag)
        if o is None:
            # Not decided in this attachment (or already final here): a
            # live one is adopted so that it can be cancelled by its tag.
            if not final:
                self._orders[tag] = Order(in_flight=False, **f)
            return
        if o.replaces and cid == o.replaces:
            # The order a replace takes the place of: once final, only the
            # new one is left under the tag.
            if final:
                o.replaces, o.previous = "", None
            return
        if o.client_order_id == "" and o.in_flight:
            o.client_order_id = cid  # the first word on what we placed
        elif o.client_order_id != cid:
            return  # another order once under this tag: its fill is booked
        # The order exists: its place (or replace) is settled; a cancel
        # still waits for its outcome.
        o.in_flight = False
        o.pending = [p for p in o.pending if p[2] == "cancel"]
        o.state, o.filled = f["state"], f["filled"]
        if final:
            del self._orders[tag]

    def _refused(self, refusal):
        """Undo what the refused decisions were expected to do."""
        for tag, o in list(self._orders.items()):
            for p in [p for p in o.pending if p[0] == refusal.event_sequence
                      and refusal.decision_index in (-1, p[1])]:
                o.pending.remove(p)
                self._undo(tag, o, p[2], refusal)

    def _undo(self, tag, o, kind, refusal):
        if kind == "cancel":
            o.cancelling = any(p[2] == "cancel" for p in o.pending)
        elif kind == "replace" and o.previous is not None and (
                refusal.reason == "DECISION_INVALID" or refusal.decision_index == -1):
            # Nothing of an invalid decision was done: the old order stands.
            self._orders[tag] = o.previous
        elif kind == "replace" and o.previous is not None:
            # The cancel went and the new order was refused: the old one's
            # outcome is still to come.
            o.previous.cancelling = True
            self._orders[tag] = o.previous
        elif self._orders.get(tag) is o:
            del self._orders[tag]


def replaced(old, quantity, price, pending):
    """The order a replace decides: old's tag, side and symbol, new size."""
    return dataclasses.replace(old, quantity=quantity, price=price, client_order_id="",
                               state=trading_pb2.ORDER_STATE_NEW, filled=decimals.ZERO, in_flight=True,
                               cancelling=False, replaces=old.client_order_id,
                               previous=old, pending=pending)
