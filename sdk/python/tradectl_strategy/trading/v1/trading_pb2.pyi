from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ACCOUNT_CASH: Account
ACCOUNT_MARGIN: Account
ACCOUNT_UNSPECIFIED: Account
DESCRIPTOR: _descriptor.FileDescriptor
DETACH_POLICY_CANCEL: DetachPolicy
DETACH_POLICY_KEEP: DetachPolicy
DETACH_POLICY_UNSPECIFIED: DetachPolicy
ERROR_REASON_ALREADY_EXISTS: ErrorReason
ERROR_REASON_BACKTEST_BUSY: ErrorReason
ERROR_REASON_BACKUP_IN_PROGRESS: ErrorReason
ERROR_REASON_BACKUP_LIMIT: ErrorReason
ERROR_REASON_BACKUP_NO_SPACE: ErrorReason
ERROR_REASON_BACKUP_PATH_UNUSABLE: ErrorReason
ERROR_REASON_CANCELLED: ErrorReason
ERROR_REASON_DEADLINE_EXCEEDED: ErrorReason
ERROR_REASON_DECISION_INVALID: ErrorReason
ERROR_REASON_INVALID: ErrorReason
ERROR_REASON_INVALID_REQUEST: ErrorReason
ERROR_REASON_INVALID_SETTINGS: ErrorReason
ERROR_REASON_LIVE_TRADING_UNAVAILABLE: ErrorReason
ERROR_REASON_NOTHING_TO_RESUME: ErrorReason
ERROR_REASON_NOT_FOUND: ErrorReason
ERROR_REASON_NO_SESSION: ErrorReason
ERROR_REASON_NO_STORE: ErrorReason
ERROR_REASON_ORDER_REFUSED: ErrorReason
ERROR_REASON_RATE_LIMITED: ErrorReason
ERROR_REASON_SEQUENCE_AHEAD: ErrorReason
ERROR_REASON_SESSION_CHANGED: ErrorReason
ERROR_REASON_SESSION_INTERRUPTED: ErrorReason
ERROR_REASON_SESSION_NOT_FOUND: ErrorReason
ERROR_REASON_SESSION_NOT_INTERRUPTED: ErrorReason
ERROR_REASON_SHUTTING_DOWN: ErrorReason
ERROR_REASON_STORE_FAILED: ErrorReason
ERROR_REASON_STRATEGY_ATTACHED: ErrorReason
ERROR_REASON_STRATEGY_NOT_EXPECTED: ErrorReason
ERROR_REASON_STRATEGY_TOO_SLOW: ErrorReason
ERROR_REASON_TOKEN_INVALID: ErrorReason
ERROR_REASON_TOKEN_MISSING: ErrorReason
ERROR_REASON_TOO_MANY_PENDING_CALLS: ErrorReason
ERROR_REASON_TOO_MANY_WATCHERS: ErrorReason
ERROR_REASON_TRADING_ALREADY_RUNNING: ErrorReason
ERROR_REASON_TRADING_STOPPING: ErrorReason
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_VENUE_UNAVAILABLE: ErrorReason
ERROR_REASON_WATCHER_LAGGED: ErrorReason
HEALTH_STATUS_DEGRADED: HealthStatus
HEALTH_STATUS_HEALTHY: HealthStatus
HEALTH_STATUS_IDLE: HealthStatus
HEALTH_STATUS_UNHEALTHY: HealthStatus
HEALTH_STATUS_UNSPECIFIED: HealthStatus
LIQUIDITY_MAKER: Liquidity
LIQUIDITY_TAKER: Liquidity
LIQUIDITY_UNSPECIFIED: Liquidity
MODE_LIVE: Mode
MODE_PAPER: Mode
MODE_UNSPECIFIED: Mode
ORDER_SIDE_BUY: OrderSide
ORDER_SIDE_SELL: OrderSide
ORDER_SIDE_UNSPECIFIED: OrderSide
ORDER_STATE_ACCEPTED: OrderState
ORDER_STATE_CANCELLED: OrderState
ORDER_STATE_FILLED: OrderState
ORDER_STATE_NEW: OrderState
ORDER_STATE_PARTIALLY_FILLED: OrderState
ORDER_STATE_REJECTED: OrderState
ORDER_STATE_UNSPECIFIED: OrderState
ORDER_TYPE_LIMIT: OrderType
ORDER_TYPE_MARKET: OrderType
ORDER_TYPE_UNSPECIFIED: OrderType
SESSION_STATE_ABANDONED: SessionState
SESSION_STATE_FAILED: SessionState
SESSION_STATE_INTERRUPTED: SessionState
SESSION_STATE_RUNNING: SessionState
SESSION_STATE_STARTING: SessionState
SESSION_STATE_STOPPED: SessionState
SESSION_STATE_STOPPING: SessionState
SESSION_STATE_UNSPECIFIED: SessionState
TIME_IN_FORCE_GTC: TimeInForce
TIME_IN_FORCE_IOC: TimeInForce
TIME_IN_FORCE_UNSPECIFIED: TimeInForce
TRADING_STATE_ACTIVE: TradingState
TRADING_STATE_HALTED: TradingState
TRADING_STATE_REDUCING: TradingState
TRADING_STATE_UNSPECIFIED: TradingState

class BacktestResult(_message.Message):
    __slots__ = ["events", "fees", "fills", "final_equity", "first_event", "kill_switch", "last_event", "max_drawdown", "max_drawdown_fraction", "net_pnl", "orders", "params", "positions", "realized_pnl", "rejected_orders", "sharpe", "sharpe_note", "starting_equity", "strategy", "unrealized_pnl"]
    class ParamsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    FEES_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    FINAL_EQUITY_FIELD_NUMBER: _ClassVar[int]
    FIRST_EVENT_FIELD_NUMBER: _ClassVar[int]
    KILL_SWITCH_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_FIELD_NUMBER: _ClassVar[int]
    MAX_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    MAX_DRAWDOWN_FRACTION_FIELD_NUMBER: _ClassVar[int]
    NET_PNL_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    REALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    REJECTED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    SHARPE_FIELD_NUMBER: _ClassVar[int]
    SHARPE_NOTE_FIELD_NUMBER: _ClassVar[int]
    STARTING_EQUITY_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    UNREALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    events: int
    fees: str
    fills: int
    final_equity: str
    first_event: _timestamp_pb2.Timestamp
    kill_switch: str
    last_event: _timestamp_pb2.Timestamp
    max_drawdown: str
    max_drawdown_fraction: str
    net_pnl: str
    orders: int
    params: _containers.ScalarMap[str, str]
    positions: _containers.RepeatedCompositeFieldContainer[Position]
    realized_pnl: str
    rejected_orders: int
    sharpe: str
    sharpe_note: str
    starting_equity: str
    strategy: str
    unrealized_pnl: str
    def __init__(self, strategy: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., first_event: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_event: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., events: _Optional[int] = ..., orders: _Optional[int] = ..., rejected_orders: _Optional[int] = ..., fills: _Optional[int] = ..., starting_equity: _Optional[str] = ..., final_equity: _Optional[str] = ..., net_pnl: _Optional[str] = ..., realized_pnl: _Optional[str] = ..., unrealized_pnl: _Optional[str] = ..., fees: _Optional[str] = ..., max_drawdown: _Optional[str] = ..., max_drawdown_fraction: _Optional[str] = ..., sharpe: _Optional[str] = ..., sharpe_note: _Optional[str] = ..., kill_switch: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[Position, _Mapping]]] = ...) -> None: ...

class BackupRequest(_message.Message):
    __slots__ = ["path"]
    PATH_FIELD_NUMBER: _ClassVar[int]
    path: str
    def __init__(self, path: _Optional[str] = ...) -> None: ...

class BackupResponse(_message.Message):
    __slots__ = ["bytes", "path"]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    bytes: int
    path: str
    def __init__(self, path: _Optional[str] = ..., bytes: _Optional[int] = ...) -> None: ...

class ComponentHealth(_message.Message):
    __slots__ = ["last_progress", "name", "reason", "status"]
    LAST_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    last_progress: _timestamp_pb2.Timestamp
    name: str
    reason: str
    status: HealthStatus
    def __init__(self, name: _Optional[str] = ..., status: _Optional[_Union[HealthStatus, str]] = ..., reason: _Optional[str] = ..., last_progress: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EquityPoint(_message.Message):
    __slots__ = ["drawdown", "equity", "time"]
    DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    drawdown: str
    equity: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., equity: _Optional[str] = ..., drawdown: _Optional[str] = ...) -> None: ...

class Fill(_message.Message):
    __slots__ = ["fee", "liquidity", "price", "quantity", "slippage", "time", "venue_trade_id"]
    FEE_FIELD_NUMBER: _ClassVar[int]
    LIQUIDITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SLIPPAGE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    VENUE_TRADE_ID_FIELD_NUMBER: _ClassVar[int]
    fee: str
    liquidity: Liquidity
    price: str
    quantity: str
    slippage: str
    time: _timestamp_pb2.Timestamp
    venue_trade_id: int
    def __init__(self, quantity: _Optional[str] = ..., price: _Optional[str] = ..., fee: _Optional[str] = ..., liquidity: _Optional[_Union[Liquidity, str]] = ..., slippage: _Optional[str] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., venue_trade_id: _Optional[int] = ...) -> None: ...

class GetEquityCurveRequest(_message.Message):
    __slots__ = ["max_points", "session_id"]
    MAX_POINTS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    max_points: int
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., max_points: _Optional[int] = ...) -> None: ...

class GetEquityCurveResponse(_message.Message):
    __slots__ = ["max_drawdown", "points", "quote_currency", "recorded", "session_id"]
    MAX_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    QUOTE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    max_drawdown: str
    points: _containers.RepeatedCompositeFieldContainer[EquityPoint]
    quote_currency: str
    recorded: int
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., quote_currency: _Optional[str] = ..., points: _Optional[_Iterable[_Union[EquityPoint, _Mapping]]] = ..., recorded: _Optional[int] = ..., max_drawdown: _Optional[str] = ...) -> None: ...

class GetPortfolioRequest(_message.Message):
    __slots__ = ["session_id"]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class GetPortfolioResponse(_message.Message):
    __slots__ = ["portfolio"]
    PORTFOLIO_FIELD_NUMBER: _ClassVar[int]
    portfolio: Portfolio
    def __init__(self, portfolio: _Optional[_Union[Portfolio, _Mapping]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ["health", "session"]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    health: HealthReport
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., health: _Optional[_Union[HealthReport, _Mapping]] = ...) -> None: ...

class GetVenueRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetVenueResponse(_message.Message):
    __slots__ = ["account", "configured", "environment", "production", "quote_asset", "venue"]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CONFIGURED_FIELD_NUMBER: _ClassVar[int]
    ENVIRONMENT_FIELD_NUMBER: _ClassVar[int]
    PRODUCTION_FIELD_NUMBER: _ClassVar[int]
    QUOTE_ASSET_FIELD_NUMBER: _ClassVar[int]
    VENUE_FIELD_NUMBER: _ClassVar[int]
    account: str
    configured: bool
    environment: str
    production: bool
    quote_asset: str
    venue: str
    def __init__(self, configured: bool = ..., venue: _Optional[str] = ..., environment: _Optional[str] = ..., production: bool = ..., account: _Optional[str] = ..., quote_asset: _Optional[str] = ...) -> None: ...

class HealthReport(_message.Message):
    __slots__ = ["components", "equity", "fills", "last_error", "max_drawdown", "orders", "peak_equity", "pnl", "reason", "restarts", "sequence", "session_id", "session_state", "status", "ticks", "time", "uptime"]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    MAX_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    PEAK_EQUITY_FIELD_NUMBER: _ClassVar[int]
    PNL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RESTARTS_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_STATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TICKS_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    UPTIME_FIELD_NUMBER: _ClassVar[int]
    components: _containers.RepeatedCompositeFieldContainer[ComponentHealth]
    equity: str
    fills: int
    last_error: str
    max_drawdown: str
    orders: int
    peak_equity: str
    pnl: str
    reason: str
    restarts: int
    sequence: int
    session_id: str
    session_state: SessionState
    status: HealthStatus
    ticks: int
    time: _timestamp_pb2.Timestamp
    uptime: _duration_pb2.Duration
    def __init__(self, time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[HealthStatus, str]] = ..., reason: _Optional[str] = ..., session_id: _Optional[str] = ..., session_state: _Optional[_Union[SessionState, str]] = ..., uptime: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., components: _Optional[_Iterable[_Union[ComponentHealth, _Mapping]]] = ..., ticks: _Optional[int] = ..., orders: _Optional[int] = ..., fills: _Optional[int] = ..., equity: _Optional[str] = ..., pnl: _Optional[str] = ..., restarts: _Optional[int] = ..., last_error: _Optional[str] = ..., sequence: _Optional[int] = ..., peak_equity: _Optional[str] = ..., max_drawdown: _Optional[str] = ...) -> None: ...

class ListFillsRequest(_message.Message):
    __slots__ = ["limit", "page_size", "page_token", "session_id"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page_size: int
    page_token: str
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., limit: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFillsResponse(_message.Message):
    __slots__ = ["fills", "next_page_token", "omitted", "session_id"]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OMITTED_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    fills: _containers.RepeatedCompositeFieldContainer[StoredFill]
    next_page_token: str
    omitted: int
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., fills: _Optional[_Iterable[_Union[StoredFill, _Mapping]]] = ..., omitted: _Optional[int] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListOrdersRequest(_message.Message):
    __slots__ = ["limit", "open_only", "page_size", "page_token", "session_id"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    limit: int
    open_only: bool
    page_size: int
    page_token: str
    session_id: str
    def __init__(self, open_only: bool = ..., limit: _Optional[int] = ..., session_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOrdersResponse(_message.Message):
    __slots__ = ["next_page_token", "omitted", "orders", "session_id"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    OMITTED_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    omitted: int
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ..., orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., omitted: _Optional[int] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ["limit", "page_size", "page_token"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page_size: int
    page_token: str
    def __init__(self, limit: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ["next_page_token", "sessions"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    sessions: _containers.RepeatedCompositeFieldContainer[Session]
    def __init__(self, sessions: _Optional[_Iterable[_Union[Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListStrategiesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListStrategiesResponse(_message.Message):
    __slots__ = ["strategies"]
    STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    strategies: _containers.RepeatedCompositeFieldContainer[StrategyInfo]
    def __init__(self, strategies: _Optional[_Iterable[_Union[StrategyInfo, _Mapping]]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ["average_price", "client_order_id", "create_time", "decision_price", "fees", "filled_quantity", "fills", "post_only", "price", "quantity", "reason", "remaining_quantity", "session_id", "side", "state", "symbol", "tag", "time_in_force", "type", "update_time"]
    AVERAGE_PRICE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECISION_PRICE_FIELD_NUMBER: _ClassVar[int]
    FEES_FIELD_NUMBER: _ClassVar[int]
    FILLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    POST_ONLY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REMAINING_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TIME_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    average_price: str
    client_order_id: str
    create_time: _timestamp_pb2.Timestamp
    decision_price: str
    fees: str
    filled_quantity: str
    fills: _containers.RepeatedCompositeFieldContainer[Fill]
    post_only: bool
    price: str
    quantity: str
    reason: str
    remaining_quantity: str
    session_id: str
    side: OrderSide
    state: OrderState
    symbol: str
    tag: str
    time_in_force: TimeInForce
    type: OrderType
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, client_order_id: _Optional[str] = ..., session_id: _Optional[str] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[OrderSide, str]] = ..., type: _Optional[_Union[OrderType, str]] = ..., time_in_force: _Optional[_Union[TimeInForce, str]] = ..., post_only: bool = ..., quantity: _Optional[str] = ..., price: _Optional[str] = ..., state: _Optional[_Union[OrderState, str]] = ..., reason: _Optional[str] = ..., filled_quantity: _Optional[str] = ..., remaining_quantity: _Optional[str] = ..., average_price: _Optional[str] = ..., fees: _Optional[str] = ..., decision_price: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., fills: _Optional[_Iterable[_Union[Fill, _Mapping]]] = ..., tag: _Optional[str] = ...) -> None: ...

class OrderEvent(_message.Message):
    __slots__ = ["fill", "fill_sequence", "order", "sequence"]
    FILL_FIELD_NUMBER: _ClassVar[int]
    FILL_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    fill: Fill
    fill_sequence: int
    order: Order
    sequence: int
    def __init__(self, sequence: _Optional[int] = ..., order: _Optional[_Union[Order, _Mapping]] = ..., fill: _Optional[_Union[Fill, _Mapping]] = ..., fill_sequence: _Optional[int] = ...) -> None: ...

class Portfolio(_message.Message):
    __slots__ = ["cash", "equity", "fees_paid", "positions", "quote_currency", "realized_pnl", "risk", "session_id", "starting_cash", "time", "unrealized_pnl"]
    CASH_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    FEES_PAID_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    QUOTE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    REALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STARTING_CASH_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    UNREALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    cash: str
    equity: str
    fees_paid: str
    positions: _containers.RepeatedCompositeFieldContainer[Position]
    quote_currency: str
    realized_pnl: str
    risk: Risk
    session_id: str
    starting_cash: str
    time: _timestamp_pb2.Timestamp
    unrealized_pnl: str
    def __init__(self, session_id: _Optional[str] = ..., quote_currency: _Optional[str] = ..., starting_cash: _Optional[str] = ..., cash: _Optional[str] = ..., equity: _Optional[str] = ..., realized_pnl: _Optional[str] = ..., unrealized_pnl: _Optional[str] = ..., fees_paid: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[Position, _Mapping]]] = ..., risk: _Optional[_Union[Risk, _Mapping]] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Position(_message.Message):
    __slots__ = ["average_price", "mark_price", "quantity", "symbol", "unrealized_pnl"]
    AVERAGE_PRICE_FIELD_NUMBER: _ClassVar[int]
    MARK_PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    UNREALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    average_price: str
    mark_price: str
    quantity: str
    symbol: str
    unrealized_pnl: str
    def __init__(self, symbol: _Optional[str] = ..., quantity: _Optional[str] = ..., average_price: _Optional[str] = ..., mark_price: _Optional[str] = ..., unrealized_pnl: _Optional[str] = ...) -> None: ...

class PricePoint(_message.Message):
    __slots__ = ["price", "time"]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    price: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., price: _Optional[str] = ...) -> None: ...

class PriceSeries(_message.Message):
    __slots__ = ["points", "symbol"]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    points: _containers.RepeatedCompositeFieldContainer[PricePoint]
    symbol: str
    def __init__(self, symbol: _Optional[str] = ..., points: _Optional[_Iterable[_Union[PricePoint, _Mapping]]] = ...) -> None: ...

class ResetKillSwitchRequest(_message.Message):
    __slots__ = ["reason", "session_id"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    reason: str
    session_id: str
    def __init__(self, reason: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class ResetKillSwitchResponse(_message.Message):
    __slots__ = ["risk"]
    RISK_FIELD_NUMBER: _ClassVar[int]
    risk: Risk
    def __init__(self, risk: _Optional[_Union[Risk, _Mapping]] = ...) -> None: ...

class Risk(_message.Message):
    __slots__ = ["reason", "rejected_orders", "since", "state"]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REJECTED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    reason: str
    rejected_orders: int
    since: _timestamp_pb2.Timestamp
    state: TradingState
    def __init__(self, state: _Optional[_Union[TradingState, str]] = ..., reason: _Optional[str] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., rejected_orders: _Optional[int] = ...) -> None: ...

class RiskLimits(_message.Message):
    __slots__ = ["max_drawdown", "max_open_orders", "max_order_notional", "max_orders_per_second", "max_position", "max_trailing_drawdown"]
    MAX_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    MAX_OPEN_ORDERS_FIELD_NUMBER: _ClassVar[int]
    MAX_ORDERS_PER_SECOND_FIELD_NUMBER: _ClassVar[int]
    MAX_ORDER_NOTIONAL_FIELD_NUMBER: _ClassVar[int]
    MAX_POSITION_FIELD_NUMBER: _ClassVar[int]
    MAX_TRAILING_DRAWDOWN_FIELD_NUMBER: _ClassVar[int]
    max_drawdown: str
    max_open_orders: int
    max_order_notional: str
    max_orders_per_second: int
    max_position: str
    max_trailing_drawdown: str
    def __init__(self, max_order_notional: _Optional[str] = ..., max_position: _Optional[str] = ..., max_open_orders: _Optional[int] = ..., max_orders_per_second: _Optional[int] = ..., max_drawdown: _Optional[str] = ..., max_trailing_drawdown: _Optional[str] = ...) -> None: ...

class RunBacktestRequest(_message.Message):
    __slots__ = ["sample_every", "settings", "sim_duration"]
    SAMPLE_EVERY_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    SIM_DURATION_FIELD_NUMBER: _ClassVar[int]
    sample_every: _duration_pb2.Duration
    settings: SessionSettings
    sim_duration: _duration_pb2.Duration
    def __init__(self, settings: _Optional[_Union[SessionSettings, _Mapping]] = ..., sim_duration: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., sample_every: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RunBacktestResponse(_message.Message):
    __slots__ = ["chart_every", "equity", "prices", "result", "summary", "trades"]
    CHART_EVERY_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    TRADES_FIELD_NUMBER: _ClassVar[int]
    chart_every: _duration_pb2.Duration
    equity: _containers.RepeatedCompositeFieldContainer[EquityPoint]
    prices: _containers.RepeatedCompositeFieldContainer[PriceSeries]
    result: BacktestResult
    summary: _containers.RepeatedCompositeFieldContainer[SummaryRow]
    trades: _containers.RepeatedCompositeFieldContainer[StoredFill]
    def __init__(self, result: _Optional[_Union[BacktestResult, _Mapping]] = ..., summary: _Optional[_Iterable[_Union[SummaryRow, _Mapping]]] = ..., chart_every: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., equity: _Optional[_Iterable[_Union[EquityPoint, _Mapping]]] = ..., prices: _Optional[_Iterable[_Union[PriceSeries, _Mapping]]] = ..., trades: _Optional[_Iterable[_Union[StoredFill, _Mapping]]] = ...) -> None: ...

class Session(_message.Message):
    __slots__ = ["end_time", "id", "reason", "settings", "start_time", "state", "summary"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    id: str
    reason: str
    settings: SessionSettings
    start_time: _timestamp_pb2.Timestamp
    state: SessionState
    summary: SessionSummary
    def __init__(self, id: _Optional[str] = ..., state: _Optional[_Union[SessionState, str]] = ..., settings: _Optional[_Union[SessionSettings, _Mapping]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., summary: _Optional[_Union[SessionSummary, _Mapping]] = ...) -> None: ...

class SessionSettings(_message.Message):
    __slots__ = ["account", "answer_timeout", "attach_grace", "auto_restart", "borrow_rate_bps", "duration", "health_interval", "latency", "maker_fee_bps", "max_borrow", "mode", "on_detach", "params", "risk", "seed", "starting_cash", "strategy", "symbols", "taker_fee_bps", "tick_interval"]
    class ParamsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    ATTACH_GRACE_FIELD_NUMBER: _ClassVar[int]
    AUTO_RESTART_FIELD_NUMBER: _ClassVar[int]
    BORROW_RATE_BPS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    HEALTH_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MAKER_FEE_BPS_FIELD_NUMBER: _ClassVar[int]
    MAX_BORROW_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    ON_DETACH_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STARTING_CASH_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    TAKER_FEE_BPS_FIELD_NUMBER: _ClassVar[int]
    TICK_INTERVAL_FIELD_NUMBER: _ClassVar[int]
    account: Account
    answer_timeout: _duration_pb2.Duration
    attach_grace: _duration_pb2.Duration
    auto_restart: bool
    borrow_rate_bps: int
    duration: _duration_pb2.Duration
    health_interval: _duration_pb2.Duration
    latency: _duration_pb2.Duration
    maker_fee_bps: int
    max_borrow: str
    mode: Mode
    on_detach: DetachPolicy
    params: _containers.ScalarMap[str, str]
    risk: RiskLimits
    seed: int
    starting_cash: str
    strategy: str
    symbols: _containers.RepeatedScalarFieldContainer[str]
    taker_fee_bps: int
    tick_interval: _duration_pb2.Duration
    def __init__(self, mode: _Optional[_Union[Mode, str]] = ..., symbols: _Optional[_Iterable[str]] = ..., duration: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., health_interval: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., tick_interval: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., auto_restart: bool = ..., seed: _Optional[int] = ..., strategy: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., risk: _Optional[_Union[RiskLimits, _Mapping]] = ..., maker_fee_bps: _Optional[int] = ..., taker_fee_bps: _Optional[int] = ..., latency: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., starting_cash: _Optional[str] = ..., account: _Optional[_Union[Account, str]] = ..., max_borrow: _Optional[str] = ..., borrow_rate_bps: _Optional[int] = ..., on_detach: _Optional[_Union[DetachPolicy, str]] = ..., attach_grace: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., answer_timeout: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SessionSummary(_message.Message):
    __slots__ = ["cash", "coordinator_restarts", "equity", "fees_paid", "fills", "monitor_restarts", "open_orders", "orders", "positions", "quote_currency", "realized_pnl", "risk", "starting_equity", "ticks", "unrealized_pnl", "unstopped_children"]
    CASH_FIELD_NUMBER: _ClassVar[int]
    COORDINATOR_RESTARTS_FIELD_NUMBER: _ClassVar[int]
    EQUITY_FIELD_NUMBER: _ClassVar[int]
    FEES_PAID_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    MONITOR_RESTARTS_FIELD_NUMBER: _ClassVar[int]
    OPEN_ORDERS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    POSITIONS_FIELD_NUMBER: _ClassVar[int]
    QUOTE_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    REALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    STARTING_EQUITY_FIELD_NUMBER: _ClassVar[int]
    TICKS_FIELD_NUMBER: _ClassVar[int]
    UNREALIZED_PNL_FIELD_NUMBER: _ClassVar[int]
    UNSTOPPED_CHILDREN_FIELD_NUMBER: _ClassVar[int]
    cash: str
    coordinator_restarts: int
    equity: str
    fees_paid: str
    fills: int
    monitor_restarts: int
    open_orders: int
    orders: int
    positions: _containers.RepeatedCompositeFieldContainer[Position]
    quote_currency: str
    realized_pnl: str
    risk: Risk
    starting_equity: str
    ticks: int
    unrealized_pnl: str
    unstopped_children: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ticks: _Optional[int] = ..., orders: _Optional[int] = ..., fills: _Optional[int] = ..., quote_currency: _Optional[str] = ..., starting_equity: _Optional[str] = ..., equity: _Optional[str] = ..., cash: _Optional[str] = ..., realized_pnl: _Optional[str] = ..., unrealized_pnl: _Optional[str] = ..., fees_paid: _Optional[str] = ..., positions: _Optional[_Iterable[_Union[Position, _Mapping]]] = ..., coordinator_restarts: _Optional[int] = ..., monitor_restarts: _Optional[int] = ..., unstopped_children: _Optional[_Iterable[str]] = ..., risk: _Optional[_Union[Risk, _Mapping]] = ..., open_orders: _Optional[int] = ...) -> None: ...

class StartTradingRequest(_message.Message):
    __slots__ = ["abandon_interrupted", "resume", "session_id", "settings"]
    ABANDON_INTERRUPTED_FIELD_NUMBER: _ClassVar[int]
    RESUME_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    abandon_interrupted: bool
    resume: bool
    session_id: str
    settings: SessionSettings
    def __init__(self, settings: _Optional[_Union[SessionSettings, _Mapping]] = ..., resume: bool = ..., session_id: _Optional[str] = ..., abandon_interrupted: bool = ...) -> None: ...

class StartTradingResponse(_message.Message):
    __slots__ = ["already_running", "session"]
    ALREADY_RUNNING_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    already_running: bool
    session: Session
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., already_running: bool = ...) -> None: ...

class StopTradingRequest(_message.Message):
    __slots__ = ["deadline", "keep_open_orders", "session_id"]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    KEEP_OPEN_ORDERS_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    deadline: _duration_pb2.Duration
    keep_open_orders: bool
    session_id: str
    def __init__(self, deadline: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., keep_open_orders: bool = ..., session_id: _Optional[str] = ...) -> None: ...

class StopTradingResponse(_message.Message):
    __slots__ = ["session", "unsettled_orders", "was_running"]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    UNSETTLED_ORDERS_FIELD_NUMBER: _ClassVar[int]
    WAS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    session: Session
    unsettled_orders: _containers.RepeatedScalarFieldContainer[str]
    was_running: bool
    def __init__(self, session: _Optional[_Union[Session, _Mapping]] = ..., was_running: bool = ..., unsettled_orders: _Optional[_Iterable[str]] = ...) -> None: ...

class StoredFill(_message.Message):
    __slots__ = ["client_order_id", "fill", "sequence", "session_id", "side", "symbol"]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    FILL_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    client_order_id: str
    fill: Fill
    sequence: int
    session_id: str
    side: OrderSide
    symbol: str
    def __init__(self, session_id: _Optional[str] = ..., client_order_id: _Optional[str] = ..., sequence: _Optional[int] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[OrderSide, str]] = ..., fill: _Optional[_Union[Fill, _Mapping]] = ...) -> None: ...

class StrategyInfo(_message.Message):
    __slots__ = ["description", "name", "params"]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    description: str
    name: str
    params: _containers.RepeatedCompositeFieldContainer[StrategyParam]
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., params: _Optional[_Iterable[_Union[StrategyParam, _Mapping]]] = ...) -> None: ...

class StrategyParam(_message.Message):
    __slots__ = ["default_value", "description", "name"]
    DEFAULT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    default_value: str
    description: str
    name: str
    def __init__(self, name: _Optional[str] = ..., default_value: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class SummaryRow(_message.Message):
    __slots__ = ["label", "value"]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    label: str
    value: str
    def __init__(self, label: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class WatchHealthRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class WatchHealthResponse(_message.Message):
    __slots__ = ["report"]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: HealthReport
    def __init__(self, report: _Optional[_Union[HealthReport, _Mapping]] = ...) -> None: ...

class WatchOrdersRequest(_message.Message):
    __slots__ = ["after_sequence"]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    def __init__(self, after_sequence: _Optional[int] = ...) -> None: ...

class WatchOrdersResponse(_message.Message):
    __slots__ = ["event"]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: OrderEvent
    def __init__(self, event: _Optional[_Union[OrderEvent, _Mapping]] = ...) -> None: ...

class Mode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class SessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Account(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class HealthStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class DetachPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TradingState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class OrderSide(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class OrderType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TimeInForce(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class OrderState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Liquidity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
