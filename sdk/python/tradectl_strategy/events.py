"""The SDK's view of the stream: plain values built from the wire messages.

Every decimal is a decimal.Decimal; enums are the generated ones (ints),
exported by the package as BUY, SELL, MARKET, LIMIT, GTC, IOC, ...
"""

import dataclasses
import datetime
from decimal import Decimal
from typing import Dict, List, Optional, Sequence

from . import decimals
from .trading.v1 import strategy_pb2, trading_pb2

BUY = trading_pb2.ORDER_SIDE_BUY
SELL = trading_pb2.ORDER_SIDE_SELL
MARKET = trading_pb2.ORDER_TYPE_MARKET
LIMIT = trading_pb2.ORDER_TYPE_LIMIT
GTC = trading_pb2.TIME_IN_FORCE_GTC
IOC = trading_pb2.TIME_IN_FORCE_IOC
KIND_BOOK = strategy_pb2.STRATEGY_EVENT_KIND_BOOK
KIND_TRADE = strategy_pb2.STRATEGY_EVENT_KIND_TRADE

# States after which an order never changes again.
FINAL_STATES = frozenset((trading_pb2.ORDER_STATE_FILLED, trading_pb2.ORDER_STATE_CANCELLED,
                          trading_pb2.ORDER_STATE_REJECTED))


@dataclasses.dataclass
class Hello:
    """What the strategy tells the daemon when it attaches."""
    # NAME of the session's `--strategy remote:NAME`.
    name: str
    version: str = ""
    # Symbols whose market events to receive; empty: all the session's.
    symbols: Sequence[str] = ()
    # Market event kinds (KIND_BOOK, KIND_TRADE); empty: book updates only.
    kinds: Sequence[int] = ()
    # Up to 5 book levels a side with book events.
    depth: bool = False
    # on_timer every interval of market time; None: no timer.
    timer_interval: Optional[datetime.timedelta] = None
    # Recorded by the daemon, not interpreted.
    params: Dict[str, str] = dataclasses.field(default_factory=dict)

    def to_proto(self):
        h = strategy_pb2.StrategyHello(name=self.name, version=self.version,
                                       symbols=list(self.symbols), kinds=list(self.kinds),
                                       depth=self.depth, params=dict(self.params))
        if self.timer_interval is not None:
            h.timer_interval.FromTimedelta(self.timer_interval)
        return h


@dataclasses.dataclass(frozen=True)
class Filters:
    """A symbol's order rules; a zero field is no rule."""
    tick_size: Decimal = decimals.ZERO
    lot_size: Decimal = decimals.ZERO
    min_notional: Decimal = decimals.ZERO

    def quantity(self, qty):
        """qty rounded down to the lot: an order never grows by rounding."""
        return decimals.round_down(qty, self.lot_size)

    def passive_price(self, side, price):
        """A resting price rounded to the tick away from the market."""
        down = decimals.round_down(price, self.tick_size)
        if side == SELL and down != price:
            return down + self.tick_size
        return down

    def tradable(self, qty, price):
        """A positive quantity worth at least the minimum notional."""
        return qty > 0 and (self.min_notional <= 0 or decimals.mul(qty, price) >= self.min_notional)


@dataclasses.dataclass(frozen=True)
class Level:
    price: Decimal
    size: Decimal


@dataclasses.dataclass(frozen=True)
class Book:
    """The top of a symbol's book, with depth if the hello asked."""
    sequence: int
    time: datetime.datetime
    symbol: str
    bid: Decimal
    ask: Decimal
    bids: List[Level]
    asks: List[Level]
    # Book updates this one replaced because the strategy fell behind.
    coalesced: int


@dataclasses.dataclass(frozen=True)
class Trade:
    sequence: int
    time: datetime.datetime
    symbol: str
    price: Decimal
    size: Decimal
    aggressor: int


@dataclasses.dataclass(frozen=True)
class Timer:
    sequence: int
    time: datetime.datetime


@dataclasses.dataclass
class Order:
    """One of the strategy's live orders as the SDK tracks it."""
    tag: str
    symbol: str
    side: int
    type: int
    time_in_force: int
    quantity: Decimal
    # The limit price; None for a market order.
    price: Optional[Decimal]
    post_only: bool = False
    # The daemon's id; "" while in flight.
    client_order_id: str = ""
    state: int = trading_pb2.ORDER_STATE_NEW
    filled: Decimal = decimals.ZERO
    # Decided (placed or replaced) and not yet acknowledged by the daemon.
    in_flight: bool = True
    # A cancel was decided and its outcome has not arrived.
    cancelling: bool = False
    # The id of the order a replace is taking the place of, until that one
    # is final, and that order (restored if the replace is refused).
    replaces: str = ""
    previous: Optional["Order"] = dataclasses.field(default=None, repr=False)
    # (event sequence, decision index, "place"|"cancel"|"replace") of each
    # decision on it whose outcome has not arrived: a refusal naming one
    # undoes it.
    pending: List[tuple] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class Fill:
    quantity: Decimal
    price: Decimal
    # In the quote currency.
    fee: Decimal
    time: Optional[datetime.datetime]


@dataclasses.dataclass(frozen=True)
class OrderUpdate:
    """A change of one of the strategy's orders."""
    sequence: int
    time: datetime.datetime
    tag: str
    client_order_id: str
    symbol: str
    side: int
    state: int
    quantity: Decimal
    price: Optional[Decimal]
    filled: Decimal
    # The execution this update carries, None if none.
    fill: Optional[Fill]
    # Why the order was rejected or cancelled.
    reason: str


@dataclasses.dataclass(frozen=True)
class Refusal:
    """A decision that was not taken, and why (nothing reached the venue)."""
    sequence: int
    time: datetime.datetime
    event_sequence: int
    # The decision's place in its answer; -1 for the whole answer.
    decision_index: int
    tag: str
    # An ErrorReason wire name (DECISION_INVALID, ORDER_REFUSED, ...).
    reason: str
    message: str


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """What the daemon sends first on every attach; the account reflects it
    when on_snapshot runs."""
    sequence: int
    time: datetime.datetime
    session_id: str
    # The last event sent before this attachment.
    last_sequence: int


@dataclasses.dataclass(frozen=True)
class Stopped:
    """The session ended; the last event of the stream."""
    sequence: int
    time: datetime.datetime
    state: int
    reason: str


def timestamp(ts):
    """A wire Timestamp as an aware UTC datetime."""
    return ts.ToDatetime().replace(tzinfo=datetime.timezone.utc)


def strategy_order_fields(o):
    """The tracked fields of a wire StrategyOrder."""
    return dict(tag=o.tag, symbol=o.symbol, side=o.side, type=o.type,
                time_in_force=o.time_in_force, quantity=decimals.parse(o.quantity),
                price=decimals.parse_optional(o.price), client_order_id=o.client_order_id,
                state=o.state, filled=decimals.parse_optional(o.filled_quantity) or decimals.ZERO)
