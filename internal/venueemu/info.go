package venueemu

import (
	"encoding/json"

	"github.com/tradectl/tradectl/internal/money"
)

type exchangeInfoAnswer struct {
	Timezone        string       `json:"timezone"`
	ServerTime      int64        `json:"serverTime"`
	RateLimits      []rateLimit  `json:"rateLimits"`
	ExchangeFilters []any        `json:"exchangeFilters"`
	Symbols         []symbolInfo `json:"symbols"`
}

type rateLimit struct {
	RateLimitType string `json:"rateLimitType"`
	Interval      string `json:"interval"`
	IntervalNum   int64  `json:"intervalNum"`
	Limit         int64  `json:"limit"`
}

type symbolInfo struct {
	Symbol                          string           `json:"symbol"`
	Status                          string           `json:"status"`
	BaseAsset                       string           `json:"baseAsset"`
	BaseAssetPrecision              int64            `json:"baseAssetPrecision"`
	QuoteAsset                      string           `json:"quoteAsset"`
	QuotePrecision                  int64            `json:"quotePrecision"`
	QuoteAssetPrecision             int64            `json:"quoteAssetPrecision"`
	BaseCommissionPrecision         int64            `json:"baseCommissionPrecision"`
	QuoteCommissionPrecision        int64            `json:"quoteCommissionPrecision"`
	OrderTypes                      []string         `json:"orderTypes"`
	IcebergAllowed                  bool             `json:"icebergAllowed"`
	OcoAllowed                      bool             `json:"ocoAllowed"`
	OtoAllowed                      bool             `json:"otoAllowed"`
	OpoAllowed                      bool             `json:"opoAllowed"`
	QuoteOrderQtyMarketAllowed      bool             `json:"quoteOrderQtyMarketAllowed"`
	AllowTrailingStop               bool             `json:"allowTrailingStop"`
	CancelReplaceAllowed            bool             `json:"cancelReplaceAllowed"`
	AmendAllowed                    bool             `json:"amendAllowed"`
	PegInstructionsAllowed          bool             `json:"pegInstructionsAllowed"`
	IsSpotTradingAllowed            bool             `json:"isSpotTradingAllowed"`
	IsMarginTradingAllowed          bool             `json:"isMarginTradingAllowed"`
	Filters                         []map[string]any `json:"filters"`
	Permissions                     []string         `json:"permissions"`
	PermissionSets                  [][]string       `json:"permissionSets"`
	DefaultSelfTradePreventionMode  string           `json:"defaultSelfTradePreventionMode"`
	AllowedSelfTradePreventionModes []string         `json:"allowedSelfTradePreventionModes"`
}

func (e *Emulator) exchangeInfo(rc *reqCtx) (any, *apiError) {
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	syms, ae := x.symbolsParam(rc)
	if ae != nil {
		return nil, ae
	}
	l := x.cfg.Limits
	out := exchangeInfoAnswer{Timezone: "UTC", ServerTime: rc.now.UnixMilli(), ExchangeFilters: []any{},
		RateLimits: []rateLimit{
			{"REQUEST_WEIGHT", "MINUTE", 1, l.WeightPerMinute},
			{"ORDERS", "SECOND", 10, l.OrdersPer10s},
			{"ORDERS", "DAY", 1, l.OrdersPerDay},
			{"RAW_REQUESTS", "MINUTE", 5, 61000},
		}}
	for _, s := range syms {
		out.Symbols = append(out.Symbols, x.symbolInfo(s))
	}
	return out, nil
}

// symbolInfo lists a symbol with the filters place enforces.
func (x *exchange) symbolInfo(s *symbol) symbolInfo {
	in := s.inst
	zero := dec(money.Decimal{})
	return symbolInfo{
		Symbol: s.venue, Status: "TRADING", BaseAsset: in.Base, BaseAssetPrecision: 8, QuoteAsset: x.cfg.Quote,
		QuotePrecision: 8, QuoteAssetPrecision: 8, BaseCommissionPrecision: 8, QuoteCommissionPrecision: 8,
		OrderTypes:           []string{typLimit, typMaker, typMarket},
		IsSpotTradingAllowed: true, Permissions: []string{}, PermissionSets: [][]string{{"SPOT"}},
		DefaultSelfTradePreventionMode: "NONE", AllowedSelfTradePreventionModes: []string{"NONE"},
		Filters: []map[string]any{
			{"filterType": "PRICE_FILTER", "minPrice": dec(in.TickSize), "maxPrice": dec(maxPrice), "tickSize": dec(in.TickSize)},
			{"filterType": "LOT_SIZE", "minQty": dec(in.LotSize), "maxQty": dec(maxQty), "stepSize": dec(in.LotSize)},
			{"filterType": "MARKET_LOT_SIZE", "minQty": zero, "maxQty": dec(marketMaxQty), "stepSize": zero},
			{"filterType": "NOTIONAL", "minNotional": dec(in.MinNotional), "applyMinToMarket": true,
				"maxNotional": dec(maxNotional), "applyMaxToMarket": false, "avgPriceMins": 5},
			{"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": dec(percentUp), "bidMultiplierDown": dec(percentDown),
				"askMultiplierUp": dec(percentUp), "askMultiplierDown": dec(percentDown), "avgPriceMins": 5},
			{"filterType": "MAX_NUM_ORDERS", "maxNumOrders": maxNumOrders},
		},
	}
}

// symbolsParam reads exchangeInfo's symbol or symbols=["A","B"].
func (x *exchange) symbolsParam(rc *reqCtx) ([]*symbol, *apiError) {
	var names []string
	if one := rc.params.Get("symbol"); one != "" {
		names = []string{one}
	} else if many := rc.params.Get("symbols"); many != "" {
		if err := json.Unmarshal([]byte(many), &names); err != nil {
			return nil, apiErr(400, -1100, "Illegal characters found in parameter 'symbols'.")
		}
	}
	if len(names) == 0 {
		return x.order, nil
	}
	out := make([]*symbol, 0, len(names))
	for _, n := range names {
		s, ae := x.symbolParam(n)
		if ae != nil {
			return nil, ae
		}
		out = append(out, s)
	}
	return out, nil
}
