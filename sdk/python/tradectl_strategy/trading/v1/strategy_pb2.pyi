from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from tradectl_strategy.trading.v1 import trading_pb2 as _trading_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
STRATEGY_EVENT_KIND_BOOK: StrategyEventKind
STRATEGY_EVENT_KIND_TRADE: StrategyEventKind
STRATEGY_EVENT_KIND_UNSPECIFIED: StrategyEventKind

class BookUpdate(_message.Message):
    __slots__ = ["ask", "asks", "bid", "bids", "coalesced", "symbol"]
    ASKS_FIELD_NUMBER: _ClassVar[int]
    ASK_FIELD_NUMBER: _ClassVar[int]
    BIDS_FIELD_NUMBER: _ClassVar[int]
    BID_FIELD_NUMBER: _ClassVar[int]
    COALESCED_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    ask: str
    asks: _containers.RepeatedCompositeFieldContainer[PriceLevel]
    bid: str
    bids: _containers.RepeatedCompositeFieldContainer[PriceLevel]
    coalesced: int
    symbol: str
    def __init__(self, symbol: _Optional[str] = ..., bid: _Optional[str] = ..., ask: _Optional[str] = ..., bids: _Optional[_Iterable[_Union[PriceLevel, _Mapping]]] = ..., asks: _Optional[_Iterable[_Union[PriceLevel, _Mapping]]] = ..., coalesced: _Optional[int] = ...) -> None: ...

class CancelOrder(_message.Message):
    __slots__ = ["tag"]
    TAG_FIELD_NUMBER: _ClassVar[int]
    tag: str
    def __init__(self, tag: _Optional[str] = ...) -> None: ...

class DecisionRefused(_message.Message):
    __slots__ = ["decision_index", "event_sequence", "message", "reason", "tag"]
    DECISION_INDEX_FIELD_NUMBER: _ClassVar[int]
    EVENT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    decision_index: int
    event_sequence: int
    message: str
    reason: str
    tag: str
    def __init__(self, event_sequence: _Optional[int] = ..., decision_index: _Optional[int] = ..., tag: _Optional[str] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class PlaceOrder(_message.Message):
    __slots__ = ["post_only", "price", "quantity", "side", "symbol", "tag", "time_in_force", "type"]
    POST_ONLY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TIME_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    post_only: bool
    price: str
    quantity: str
    side: _trading_pb2.OrderSide
    symbol: str
    tag: str
    time_in_force: _trading_pb2.TimeInForce
    type: _trading_pb2.OrderType
    def __init__(self, tag: _Optional[str] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[_trading_pb2.OrderSide, str]] = ..., type: _Optional[_Union[_trading_pb2.OrderType, str]] = ..., time_in_force: _Optional[_Union[_trading_pb2.TimeInForce, str]] = ..., post_only: bool = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ...) -> None: ...

class PriceLevel(_message.Message):
    __slots__ = ["price", "size"]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    price: str
    size: str
    def __init__(self, price: _Optional[str] = ..., size: _Optional[str] = ...) -> None: ...

class ReplaceOrder(_message.Message):
    __slots__ = ["price", "quantity", "tag"]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    price: str
    quantity: str
    tag: str
    def __init__(self, tag: _Optional[str] = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ...) -> None: ...

class RunStrategyRequest(_message.Message):
    __slots__ = ["answer", "hello"]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    HELLO_FIELD_NUMBER: _ClassVar[int]
    answer: StrategyAnswer
    hello: StrategyHello
    def __init__(self, hello: _Optional[_Union[StrategyHello, _Mapping]] = ..., answer: _Optional[_Union[StrategyAnswer, _Mapping]] = ...) -> None: ...

class RunStrategyResponse(_message.Message):
    __slots__ = ["event"]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: StrategyEvent
    def __init__(self, event: _Optional[_Union[StrategyEvent, _Mapping]] = ...) -> None: ...

class StrategyAnswer(_message.Message):
    __slots__ = ["decisions", "event_sequence"]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    EVENT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    decisions: _containers.RepeatedCompositeFieldContainer[StrategyDecision]
    event_sequence: int
    def __init__(self, event_sequence: _Optional[int] = ..., decisions: _Optional[_Iterable[_Union[StrategyDecision, _Mapping]]] = ...) -> None: ...

class StrategyDecision(_message.Message):
    __slots__ = ["cancel", "place", "replace"]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    REPLACE_FIELD_NUMBER: _ClassVar[int]
    cancel: CancelOrder
    place: PlaceOrder
    replace: ReplaceOrder
    def __init__(self, place: _Optional[_Union[PlaceOrder, _Mapping]] = ..., cancel: _Optional[_Union[CancelOrder, _Mapping]] = ..., replace: _Optional[_Union[ReplaceOrder, _Mapping]] = ...) -> None: ...

class StrategyEvent(_message.Message):
    __slots__ = ["book", "needs_answer", "order", "refused", "sequence", "snapshot", "stopped", "time", "timer", "trade"]
    BOOK_FIELD_NUMBER: _ClassVar[int]
    NEEDS_ANSWER_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REFUSED_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    STOPPED_FIELD_NUMBER: _ClassVar[int]
    TIMER_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    TRADE_FIELD_NUMBER: _ClassVar[int]
    book: BookUpdate
    needs_answer: bool
    order: StrategyOrderUpdate
    refused: DecisionRefused
    sequence: int
    snapshot: StrategySnapshot
    stopped: StrategyStopped
    time: _timestamp_pb2.Timestamp
    timer: TimerFired
    trade: TradePrint
    def __init__(self, sequence: _Optional[int] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., needs_answer: bool = ..., snapshot: _Optional[_Union[StrategySnapshot, _Mapping]] = ..., book: _Optional[_Union[BookUpdate, _Mapping]] = ..., trade: _Optional[_Union[TradePrint, _Mapping]] = ..., timer: _Optional[_Union[TimerFired, _Mapping]] = ..., order: _Optional[_Union[StrategyOrderUpdate, _Mapping]] = ..., refused: _Optional[_Union[DecisionRefused, _Mapping]] = ..., stopped: _Optional[_Union[StrategyStopped, _Mapping]] = ...) -> None: ...

class StrategyHello(_message.Message):
    __slots__ = ["depth", "kinds", "name", "params", "symbols", "timer_interval", "version"]
    class ParamsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    TIMER_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    depth: bool
    kinds: _containers.RepeatedScalarFieldContainer[StrategyEventKind]
    name: str
    params: _containers.ScalarMap[str, str]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    timer_interval: _duration_pb2.Duration
    version: str
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., symbols: _Optional[_Iterable[str]] = ..., kinds: _Optional[_Iterable[_Union[StrategyEventKind, str]]] = ..., depth: bool = ..., timer_interval: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., params: _Optional[_Mapping[str, str]] = ...) -> None: ...

class StrategyOrder(_message.Message):
    __slots__ = ["client_order_id", "filled_quantity", "price", "quantity", "side", "state", "symbol", "tag", "time_in_force", "type"]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    FILLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TIME_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    client_order_id: str
    filled_quantity: str
    price: str
    quantity: str
    side: _trading_pb2.OrderSide
    state: _trading_pb2.OrderState
    symbol: str
    tag: str
    time_in_force: _trading_pb2.TimeInForce
    type: _trading_pb2.OrderType
    def __init__(self, tag: _Optional[str] = ..., client_order_id: _Optional[str] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[_trading_pb2.OrderSide, str]] = ..., type: _Optional[_Union[_trading_pb2.OrderType, str]] = ..., time_in_force: _Optional[_Union[_trading_pb2.TimeInForce, str]] = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ..., state: _Optional[_Union[_trading_pb2.OrderState, str]] = ..., filled_quantity: _Optional[str] = ...) -> None: ...

class StrategyOrderUpdate(_message.Message):
    __slots__ = ["fill", "order", "reason"]
    FILL_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    fill: _trading_pb2.Fill
    order: StrategyOrder
    reason: str
    def __init__(self, order: _Optional[_Union[StrategyOrder, _Mapping]] = ..., fill: _Optional[_Union[_trading_pb2.Fill, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class StrategySnapshot(_message.Message):
    __slots__ = ["cash", "last_sequence", "open_orders", "positions", "session_id", "symbols"]
    CASH_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OPEN_ORDERS_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    cash: str
    last_sequence: int
    open_orders: _containers.RepeatedCompositeFieldContainer[StrategyOrder]
    positions: _containers.RepeatedCompositeFieldContainer[_trading_pb2.Position]
    session_id: str
    symbols: _containers.RepeatedCompositeFieldContainer[SymbolFilters]
    def __init__(self, session_id: _Optional[str] = ..., cash: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[_trading_pb2.Position, _Mapping]]] = ..., open_orders: _Optional[_Iterable[_Union[StrategyOrder, _Mapping]]] = ..., last_sequence: _Optional[int] = ..., symbols: _Optional[_Iterable[_Union[SymbolFilters, _Mapping]]] = ...) -> None: ...

class StrategyStopped(_message.Message):
    __slots__ = ["reason", "state"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    reason: str
    state: _trading_pb2.SessionState
    def __init__(self, state: _Optional[_Union[_trading_pb2.SessionState, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class SymbolFilters(_message.Message):
    __slots__ = ["lot_size", "min_notional", "symbol", "tick_size"]
    LOT_SIZE_FIELD_NUMBER: _ClassVar[int]
    MIN_NOTIONAL_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TICK_SIZE_FIELD_NUMBER: _ClassVar[int]
    lot_size: str
    min_notional: str
    symbol: str
    tick_size: str
    def __init__(self, symbol: _Optional[str] = ..., tick_size: _Optional[str] = ..., lot_size: _Optional[str] = ..., min_notional: _Optional[str] = ...) -> None: ...

class TimerFired(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class TradePrint(_message.Message):
    __slots__ = ["aggressor", "price", "size", "symbol"]
    AGGRESSOR_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    aggressor: _trading_pb2.OrderSide
    price: str
    size: str
    symbol: str
    def __init__(self, symbol: _Optional[str] = ..., price: _Optional[str] = ..., size: _Optional[str] = ..., aggressor: _Optional[_Union[_trading_pb2.OrderSide, str]] = ...) -> None: ...

class StrategyEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
