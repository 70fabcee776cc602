package venueemu

// The venue's messages, key for key as Binance documents them (see
// testdata/binance for the examples and their sources). Decimals are
// strings with 8 places; ids and times are integers (times in ms).

type orderAck struct {
	Symbol        string `json:"symbol"`
	OrderID       int64  `json:"orderId"`
	OrderListID   int64  `json:"orderListId"`
	ClientOrderID string `json:"clientOrderId"`
	TransactTime  int64  `json:"transactTime"`
}

type orderResult struct {
	orderAck
	Price               string `json:"price"`
	OrigQty             string `json:"origQty"`
	ExecutedQty         string `json:"executedQty"`
	OrigQuoteOrderQty   string `json:"origQuoteOrderQty"`
	CummulativeQuoteQty string `json:"cummulativeQuoteQty"`
	Status              string `json:"status"`
	TimeInForce         string `json:"timeInForce"`
	Type                string `json:"type"`
	Side                string `json:"side"`
	WorkingTime         int64  `json:"workingTime"`
	STP                 string `json:"selfTradePreventionMode"`
}

type orderFull struct {
	orderResult
	Fills []orderFill `json:"fills"`
}

type orderFill struct {
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	TradeID         int64  `json:"tradeId"`
}

// orderInfo is GET /api/v3/order and an entry of /api/v3/openOrders.
type orderInfo struct {
	Symbol              string `json:"symbol"`
	OrderID             int64  `json:"orderId"`
	OrderListID         int64  `json:"orderListId"`
	ClientOrderID       string `json:"clientOrderId"`
	Price               string `json:"price"`
	OrigQty             string `json:"origQty"`
	ExecutedQty         string `json:"executedQty"`
	CummulativeQuoteQty string `json:"cummulativeQuoteQty"`
	Status              string `json:"status"`
	TimeInForce         string `json:"timeInForce"`
	Type                string `json:"type"`
	Side                string `json:"side"`
	StopPrice           string `json:"stopPrice"`
	IcebergQty          string `json:"icebergQty"`
	Time                int64  `json:"time"`
	UpdateTime          int64  `json:"updateTime"`
	IsWorking           bool   `json:"isWorking"`
	WorkingTime         int64  `json:"workingTime"`
	OrigQuoteOrderQty   string `json:"origQuoteOrderQty"`
	STP                 string `json:"selfTradePreventionMode"`
}

type cancelAnswer struct {
	Symbol              string `json:"symbol"`
	OrigClientOrderID   string `json:"origClientOrderId"`
	OrderID             int64  `json:"orderId"`
	OrderListID         int64  `json:"orderListId"`
	ClientOrderID       string `json:"clientOrderId"`
	TransactTime        int64  `json:"transactTime"`
	Price               string `json:"price"`
	OrigQty             string `json:"origQty"`
	ExecutedQty         string `json:"executedQty"`
	OrigQuoteOrderQty   string `json:"origQuoteOrderQty"`
	CummulativeQuoteQty string `json:"cummulativeQuoteQty"`
	Status              string `json:"status"`
	TimeInForce         string `json:"timeInForce"`
	Type                string `json:"type"`
	Side                string `json:"side"`
	STP                 string `json:"selfTradePreventionMode"`
}

type myTrade struct {
	Symbol          string `json:"symbol"`
	ID              int64  `json:"id"`
	OrderID         int64  `json:"orderId"`
	OrderListID     int64  `json:"orderListId"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	QuoteQty        string `json:"quoteQty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	Time            int64  `json:"time"`
	IsBuyer         bool   `json:"isBuyer"`
	IsMaker         bool   `json:"isMaker"`
	IsBestMatch     bool   `json:"isBestMatch"`
}

type accountInfo struct {
	MakerCommission            int64           `json:"makerCommission"`
	TakerCommission            int64           `json:"takerCommission"`
	BuyerCommission            int64           `json:"buyerCommission"`
	SellerCommission           int64           `json:"sellerCommission"`
	CommissionRates            commissionRates `json:"commissionRates"`
	CanTrade                   bool            `json:"canTrade"`
	CanWithdraw                bool            `json:"canWithdraw"`
	CanDeposit                 bool            `json:"canDeposit"`
	Brokered                   bool            `json:"brokered"`
	RequireSelfTradePrevention bool            `json:"requireSelfTradePrevention"`
	PreventSor                 bool            `json:"preventSor"`
	UpdateTime                 int64           `json:"updateTime"`
	AccountType                string          `json:"accountType"`
	Balances                   []assetFree     `json:"balances"`
	Permissions                []string        `json:"permissions"`
	UID                        int64           `json:"uid"`
}

type commissionRates struct {
	Maker  string `json:"maker"`
	Taker  string `json:"taker"`
	Buyer  string `json:"buyer"`
	Seller string `json:"seller"`
}

type assetFree struct {
	Asset  string `json:"asset"`
	Free   string `json:"free"`
	Locked string `json:"locked"`
}

type depthSnapshot struct {
	LastUpdateID int64       `json:"lastUpdateId"`
	Bids         [][2]string `json:"bids"`
	Asks         [][2]string `json:"asks"`
}

type depthUpdate struct {
	Event string      `json:"e"`
	E     int64       `json:"E"`
	S     string      `json:"s"`
	U     int64       `json:"U"`
	LastU int64       `json:"u"`
	B     [][2]string `json:"b"`
	A     [][2]string `json:"a"`
}

type executionReport struct {
	Event     string  `json:"e"`
	E         int64   `json:"E"`
	S         string  `json:"s"`
	C         string  `json:"c"`
	Side      string  `json:"S"`
	O         string  `json:"o"`
	F         string  `json:"f"`
	Q         string  `json:"q"`
	P         string  `json:"p"`
	StopP     string  `json:"P"`
	IcebergF  string  `json:"F"`
	G         int64   `json:"g"`
	OrigC     string  `json:"C"`
	X         string  `json:"x"`
	Status    string  `json:"X"`
	R         string  `json:"r"`
	I         int64   `json:"i"`
	L         string  `json:"l"`
	Z         string  `json:"z"`
	LastP     string  `json:"L"`
	N         string  `json:"n"`
	Nasset    *string `json:"N"`
	T         int64   `json:"T"`
	TradeID   int64   `json:"t"`
	ExecID    int64   `json:"I"`
	W         bool    `json:"w"`
	M         bool    `json:"m"`
	Mignore   bool    `json:"M"`
	CreatedO  int64   `json:"O"`
	CumQ      string  `json:"Z"`
	LastQuote string  `json:"Y"`
	QuoteQ    string  `json:"Q"`
	WorkingW  int64   `json:"W"`
	STP       string  `json:"V"`
}

type accountPosition struct {
	Event string         `json:"e"`
	E     int64          `json:"E"`
	U     int64          `json:"u"`
	B     []assetBalance `json:"B"`
}

type assetBalance struct {
	A string `json:"a"`
	F string `json:"f"`
	L string `json:"l"`
}

type streamTerminated struct {
	Event string `json:"e"`
	E     int64  `json:"E"`
}
