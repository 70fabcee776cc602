package binance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	gb "github.com/adshao/go-binance/v2"
	"github.com/adshao/go-binance/v2/common"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// REST is the venue's REST API over go-binance (signing, endpoints, answer
// types), with our own rate-limit accounting under it (Limiter) and our
// clock's offset in every signed timestamp. It implements API.
type REST struct {
	cfg  Config
	syms SymbolMap
	lim  *Limiter
	// client is swapped, never modified: go-binance reads TimeOffset
	// without a lock on every signed request, so a new offset gets a new
	// Client (a copy of the struct) and requests in flight keep theirs.
	client atomic.Pointer[gb.Client]
	clock  atomic.Pointer[offsetSource]
	recvMs int64
}

type offsetSource interface{ Offset() time.Duration }

// NewREST builds the client for cfg (cfg.WithDefaults is applied).
func NewREST(cfg Config) (*REST, error) {
	cfg, err := cfg.WithDefaults()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	r := &REST{cfg: cfg, syms: SymbolMap{Quote: cfg.Quote}, lim: NewLimiter(hc.Transport), recvMs: cfg.RecvWindow.Milliseconds()}
	hc.Transport = r.lim
	c := gb.NewClient(cfg.Keys.APIKey.reveal(), cfg.Keys.Secret.reveal())
	c.BaseURL = cfg.Endpoints.REST
	c.HTTPClient = hc
	c.UserAgent = "tradectl"
	c.Logger = nil // Debug stays off: its log lines carry the signed URL
	r.client.Store(c)
	return r, nil
}

// RecvWindow is the window every signed request carries (the sender's
// SenderConfig.RecvWindow must be this).
func (r *REST) RecvWindow() time.Duration { return r.cfg.RecvWindow }

// Limiter is the rate-limit accounting under this client.
func (r *REST) Limiter() *Limiter { return r.lim }

// Health is the "venue" component (see Limiter.Health).
func (r *REST) Health(now time.Time) Health { return r.lim.Health(now) }

// UseClock makes every signed request carry c's offset from now on.
func (r *REST) UseClock(c interface{ Offset() time.Duration }) {
	var s offsetSource = c
	r.clock.Store(&s)
}

// c is the client for the clock's current offset. go-binance signs with
// now − TimeOffset; our offset is server − local, so TimeOffset = −offset.
func (r *REST) c() *gb.Client {
	cur := r.client.Load()
	src := r.clock.Load()
	if src == nil {
		return cur
	}
	want := -(*src).Offset().Milliseconds()
	if cur.TimeOffset == want {
		return cur
	}
	n := *cur
	n.TimeOffset = want
	r.client.CompareAndSwap(cur, &n) // a lost race leaves another's equally fresh copy
	return &n
}

func (r *REST) recv() gb.RequestOption { return gb.WithRecvWindow(r.recvMs) }

// ServerTime is GET /api/v3/time.
func (r *REST) ServerTime(ctx context.Context) (time.Time, error) {
	ms, err := r.c().NewServerTimeService().Do(ctx)
	if err != nil {
		return time.Time{}, convert(err)
	}
	return time.UnixMilli(ms), nil
}

// ExchangeInfo is GET /api/v3/exchangeInfo for our symbols; the rate
// limits also go to the limiter.
func (r *REST) ExchangeInfo(ctx context.Context, symbols []string) (map[string]Rules, []RateLimit, error) {
	vs := make([]string, len(symbols))
	for i, s := range symbols {
		v, err := r.toVenue(s)
		if err != nil {
			return nil, nil, err
		}
		vs[i] = v
	}
	info, err := r.c().NewExchangeInfoService().Symbols(vs...).Do(ctx)
	if err != nil {
		return nil, nil, convert(err)
	}
	rules := make(map[string]Rules, len(info.Symbols))
	for i := range info.Symbols {
		s := &info.Symbols[i]
		ours, ok := r.syms.FromVenue(s.Symbol)
		if !ok {
			continue
		}
		ru, err := RulesFromSymbol(ours, s)
		if err != nil {
			return nil, nil, err
		}
		rules[ours] = ru
	}
	var limits []RateLimit
	for _, l := range info.RateLimits {
		unit := map[string]time.Duration{"SECOND": time.Second, "MINUTE": time.Minute, "HOUR": time.Hour, "DAY": 24 * time.Hour}[l.Interval]
		if unit == 0 || l.IntervalNum <= 0 {
			return nil, nil, fmt.Errorf("binance: exchangeInfo: rate limit %s with interval %d %q", l.RateLimitType, l.IntervalNum, l.Interval)
		}
		limits = append(limits, RateLimit{Type: l.RateLimitType, Interval: time.Duration(l.IntervalNum) * unit, Limit: l.Limit})
	}
	r.lim.SetLimits(limits)
	return rules, limits, nil
}

// Depth is GET /api/v3/depth.
func (r *REST) Depth(ctx context.Context, symbol string, limit int) (DepthSnapshot, error) {
	v, err := r.toVenue(symbol)
	if err != nil {
		return DepthSnapshot{}, err
	}
	d, err := r.c().NewDepthService().Symbol(v).Limit(limit).Do(ctx)
	if err != nil {
		return DepthSnapshot{}, convert(err)
	}
	snap := DepthSnapshot{LastUpdateID: d.LastUpdateID}
	if snap.Bids, err = levels(d.Bids); err == nil {
		snap.Asks, err = levels(d.Asks)
	}
	return snap, err
}

func levels(in []common.PriceLevel) ([]market.Level, error) {
	out := make([]market.Level, len(in))
	for i, l := range in {
		var err error
		if out[i].Price, err = money.Parse(l.Price); err != nil {
			return nil, fmt.Errorf("binance: depth price: %w", err)
		}
		if out[i].Size, err = money.Parse(l.Quantity); err != nil {
			return nil, fmt.Errorf("binance: depth quantity: %w", err)
		}
	}
	return out, nil
}

// AvgPrice is GET /api/v3/avgPrice, the average PERCENT_PRICE_BY_SIDE
// measures a limit price against.
func (r *REST) AvgPrice(ctx context.Context, symbol string) (money.Decimal, error) {
	v, err := r.toVenue(symbol)
	if err != nil {
		return money.Decimal{}, err
	}
	a, err := r.c().NewAveragePriceService().Symbol(v).Do(ctx)
	if err != nil {
		return money.Decimal{}, convert(err)
	}
	return money.Parse(a.Price)
}

// Account is GET /api/v3/account.
func (r *REST) Account(ctx context.Context) (Account, error) {
	a, err := r.c().NewGetAccountService().Do(ctx, r.recv())
	if err != nil {
		return Account{}, convert(err)
	}
	out := Account{UID: a.UID, Type: a.AccountType, CanTrade: a.CanTrade,
		MakerBps: bps(a.CommissionRates.Maker, a.MakerCommission), TakerBps: bps(a.CommissionRates.Taker, a.TakerCommission)}
	for _, b := range a.Balances {
		bal := Balance{Asset: b.Asset}
		if bal.Free, err = money.Parse(b.Free); err == nil {
			bal.Locked, err = money.Parse(b.Locked)
		}
		if err != nil {
			return Account{}, fmt.Errorf("binance: balance of %s: %w", b.Asset, err)
		}
		out.Balances = append(out.Balances, bal)
	}
	return out, nil
}

// bps reads a commission rate ("0.00100000") as basis points, rounded
// up so that an estimate never understates a fee; the account's integer
// commission (also in basis points) when there is no rate.
func bps(rate string, fallback int64) int64 {
	d, err := money.Parse(rate)
	if err != nil || d.IsNegative() {
		return fallback
	}
	return d.MulInt(10_000).CeilTo(money.FromInt(1)).Units() / money.FromInt(1).Units()
}

// convert gives the venue's answers as *APIError (the limiter made them,
// with the HTTP status) and strips the signed URL from transport errors.
func convert(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var ce *common.APIError
	if errors.As(err, &ce) {
		return &APIError{HTTPStatus: 400, Code: ce.Code, Msg: ce.Message}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		path := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			path = u.Path
		}
		return fmt.Errorf("binance: %s %s: %w", ue.Op, path, ue.Err)
	}
	return err
}

// toVenue maps one of our symbols, refusing an unmappable one as the venue
// would an invalid symbol (-1121): a definite "not sent", never an
// unknown outcome to ask about.
func (r *REST) toVenue(symbol string) (string, error) {
	v, err := r.syms.ToVenue(symbol)
	if err != nil {
		return "", &APIError{HTTPStatus: 400, Code: -1121, Msg: "not sent: " + err.Error()}
	}
	return v, nil
}
