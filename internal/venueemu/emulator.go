package venueemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/endpoint"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
)

// Config says what the emulator lists and whom it lets in. Zero fields
// take the defaults named beside them.
type Config struct {
	// Symbols are ours (BTC-USD), listed by paper; the venue lists each
	// as base + Quote (BTCUSDT). Required.
	Symbols []string
	// Quote is the venue's quote asset standing for USD (default USDT).
	Quote string
	// Seed seeds the simulated market.
	Seed uint64
	// APIKey and Secret are the one account's HMAC credentials. Required.
	APIKey, Secret string
	// Balances are the account's opening free balances by asset.
	Balances map[string]money.Decimal
	// Fees are the commission rates; nil means 10 bps maker and taker.
	Fees *Fees
	// Step is the simulated market's update interval (default 100ms, the
	// cadence of a @depth@100ms stream).
	Step time.Duration
	// Levels is the simulated book's depth per side (default paper's 5,
	// at most paper.MaxSimLevels).
	Levels int
	// Limits are the rate limits published and enforced; zero fields
	// take Binance's usual values.
	Limits Limits
	// PingInterval is how often a WebSocket gets a ping frame (default 3s).
	PingInterval time.Duration
	Logger       *slog.Logger
}

// Fees are commission rates in basis points of a fill's notional.
type Fees struct{ MakerBps, TakerBps int64 }

// Limits are the rate limits: request weight per minute (per client,
// as Binance counts per IP), orders per 10 s and per day (per account).
// BanAfter is how many requests a client may make while told to back off
// (429) before it is banned (418) until the window ends.
type Limits struct {
	WeightPerMinute, OrdersPer10s, OrdersPerDay int64
	BanAfter                                    int
}

const (
	defaultQuote = "USDT"
	defaultFee   = 10
)

func (c Config) withDefaults() (Config, error) {
	if len(c.Symbols) == 0 {
		return c, errors.New("venueemu: no symbols")
	}
	if err := paper.ValidateSymbols(c.Symbols); err != nil {
		return c, fmt.Errorf("venueemu: %w", err)
	}
	if c.APIKey == "" || c.Secret == "" {
		return c, errors.New("venueemu: an API key and a secret are required")
	}
	if c.Quote == "" {
		c.Quote = defaultQuote
	}
	if c.Fees == nil {
		c.Fees = &Fees{MakerBps: defaultFee, TakerBps: defaultFee}
	}
	if c.Fees.MakerBps < 0 || c.Fees.TakerBps < 0 || c.Fees.MakerBps > 10_000 || c.Fees.TakerBps > 10_000 {
		return c, errors.New("venueemu: fees must be within [0, 10000] bps")
	}
	if c.Step == 0 {
		c.Step = paper.DefaultSimStep
	}
	if c.Step < time.Millisecond {
		return c, fmt.Errorf("venueemu: step %v is below 1ms", c.Step)
	}
	l := &c.Limits
	if l.WeightPerMinute == 0 {
		l.WeightPerMinute = 6000
	}
	if l.OrdersPer10s == 0 {
		l.OrdersPer10s = 50
	}
	if l.OrdersPerDay == 0 {
		l.OrdersPerDay = 160_000
	}
	if l.BanAfter == 0 {
		l.BanAfter = 5
	}
	if l.WeightPerMinute < 0 || l.OrdersPer10s < 0 || l.OrdersPerDay < 0 || l.BanAfter < 0 {
		return c, errors.New("venueemu: rate limits must be positive")
	}
	if c.PingInterval == 0 {
		c.PingInterval = 3 * time.Second
	}
	for a, v := range c.Balances {
		if v.IsNegative() {
			return c, fmt.Errorf("venueemu: balance of %s is negative", a)
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// Emulator is one rehearsal venue. Its methods are safe for concurrent use.
type Emulator struct {
	cfg    Config
	ex     *exchange
	faults faultState
	limits *limiter
	conns  connSet

	srv     *http.Server
	url     string
	ctx     context.Context // cancelled by Close: ends the market and held answers
	cancel  context.CancelFunc
	wg      sync.WaitGroup // the market loop and the server
	started bool
	once    sync.Once
}

// New builds an emulator with its market opened at the machine's time; it
// serves nothing until Start or Serve.
func New(cfg Config) (*Emulator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Emulator{cfg: cfg, ctx: ctx, cancel: cancel, limits: newLimiter(cfg.Limits)}
	e.ex, err = newExchange(cfg, &e.faults, time.Now())
	if err != nil {
		cancel()
		return nil, err
	}
	e.srv = &http.Server{Handler: e.routes(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	return e, nil
}

// Start listens on addr, which must be a loopback address
// ("127.0.0.1:0" picks a port), and serves in the background until Close.
func (e *Emulator) Start(addr string) error {
	if !endpoint.IsLoopback(addr) {
		return fmt.Errorf("venueemu: %q is not a loopback address", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("venueemu: %w", err)
	}
	if err := e.begin(ln); err != nil {
		_ = ln.Close()
		return err
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		_ = e.srv.Serve(ln) // ends with http.ErrServerClosed on Close
	}()
	return nil
}

// Serve serves on ln until Close, and returns nil then; ln must be on
// loopback.
func (e *Emulator) Serve(ln net.Listener) error {
	if err := e.begin(ln); err != nil {
		return err
	}
	if err := e.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (e *Emulator) begin(ln net.Listener) error {
	if !endpoint.IsLoopback(ln.Addr().String()) {
		return fmt.Errorf("venueemu: %s is not a loopback address", ln.Addr())
	}
	e.ex.mu.Lock()
	defer e.ex.mu.Unlock()
	if e.started || e.ctx.Err() != nil {
		return errors.New("venueemu: already started or closed")
	}
	e.started = true
	e.url = "http://" + ln.Addr().String()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.ex.run(e.ctx, e.cfg.Step)
	}()
	return nil
}

// URL is the base URL (http://127.0.0.1:PORT) of REST; the streams are at
// ws://127.0.0.1:PORT/ws/ and /stream, the WebSocket API at /ws-api/v3.
// Empty before Start or Serve.
func (e *Emulator) URL() string {
	e.ex.mu.Lock()
	defer e.ex.mu.Unlock()
	return e.url
}

// WSURL is URL with the ws scheme.
func (e *Emulator) WSURL() string { return "ws" + strings.TrimPrefix(e.URL(), "http") }

// Close stops the market, answers nothing more, closes every connection
// (WebSockets included) and waits for every goroutine it started. It is
// idempotent.
func (e *Emulator) Close() error {
	e.once.Do(func() {
		e.cancel()
		_ = e.srv.Close()
		e.conns.closeAll()
		e.wg.Wait()
		e.conns.wait()
	})
	return nil
}
