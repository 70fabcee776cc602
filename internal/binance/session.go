package binance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// SessionConfig is one live session's connection to the venue.
type SessionConfig struct {
	Config
	SessionID string
	Symbols   []string
	// Recovered are a resumed session's open orders; StartBalances its
	// balances when it first started (nil: taken from the account now),
	// Net what its stored fills changed since. Assets are the venue's.
	Recovered        []Recovered
	StartBalances    map[string]money.Decimal
	Net              map[string]money.Decimal
	BalanceTolerance money.Decimal
	// Heartbeat is how often the market source emits a heartbeat in a
	// quiet market, so the loop drains the venue's reports.
	Heartbeat time.Duration
	// ReconcileEvery is how often the session reconciles besides at
	// start and on every user stream (re)connect (default 1 min);
	// RulesEvery how often the rules are fetched again (default 10 min).
	ReconcileEvery, RulesEvery time.Duration
	Now                        func() time.Time
}

// The parts a session runs, as it uses them: small interfaces that the
// real types (rest.go, clock.go, marketdata.go, userstream.go, sender.go,
// reconcile.go) satisfy, so that the session is tested with fakes.
type (
	runner interface {
		Run(ctx context.Context) error
	}
	judged    interface{ Health(now time.Time) Health }
	clockPart interface {
		Sync(ctx context.Context) error
		runner
		judged
	}
	marketPart interface {
		market.Source
		Synced(symbol string) bool
		runner
		judged
	}
	senderPart interface {
		sender
		runner
	}
	reconcilerPart interface {
		Reconcile(ctx context.Context, v View) error
		judged
	}
)

// parts are what buildParts makes, not yet running.
type parts struct {
	API        API
	Clock      clockPart
	Market     marketPart
	UserStream interface {
		runner
		judged
	}
	Sender senderPart
	// VenueHealth judges the REST conversation ("venue": latency,
	// errors, rate limits).
	VenueHealth judged
	Reconciler  reconcilerPart
	// Check judges orders against the symbols' rules (Rules.Check).
	Check RuleCheck
}

// buildParts constructs the parts for cfg, the venue being their Sink
// and onConnect called on every user stream (re)connect. It is set by
// parts.go, which wires the concrete types; nil in a build without them.
var buildParts func(cfg SessionConfig, sink Sink, onConnect func()) (parts, error)

// Session is a live connection to the venue: the parts' goroutines under
// one context, the loop's Venue and market Source.
type Session struct {
	cfg     SessionConfig
	p       parts
	venue   *Venue
	start   map[string]money.Decimal
	account Account
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
	stopped [4]atomic.Pointer[error] // a part's Run that returned early
}

// Open connects: syncs the clock before anything is signed, fetches the
// rules and the account, starts every part, and reconciles a resumed
// session's orders before it returns. A failure closes what was started.
func Open(ctx context.Context, cfg SessionConfig) (*Session, error) {
	if buildParts == nil {
		return nil, errors.New("binance: this build has no venue parts")
	}
	return open(ctx, cfg, buildParts)
}

func open(ctx context.Context, cfg SessionConfig, build func(SessionConfig, Sink, func()) (parts, error)) (*Session, error) {
	c, err := cfg.Config.WithDefaults()
	if err != nil {
		return nil, err
	}
	cfg.Config = c
	switch {
	case cfg.SessionID == "":
		return nil, errors.New("binance: a session id is required")
	case len(cfg.Symbols) == 0:
		return nil, errors.New("binance: a live session needs at least one symbol")
	case cfg.Heartbeat < 0 || cfg.ReconcileEvery < 0 || cfg.RulesEvery < 0:
		return nil, errors.New("binance: the heartbeat, reconcile and rules intervals must not be negative")
	case cfg.BalanceTolerance.IsNegative():
		return nil, errors.New("binance: the balance tolerance must not be negative")
	}
	for _, r := range cfg.Recovered {
		if !slices.Contains(cfg.Symbols, r.Order.Spec.Symbol) {
			return nil, fmt.Errorf("binance: resumed order %s is on %s, which the session does not trade",
				r.Order.ClientID, r.Order.Spec.Symbol)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReconcileEvery == 0 {
		cfg.ReconcileEvery = time.Minute
	}
	if cfg.RulesEvery == 0 {
		cfg.RulesEvery = 10 * time.Minute
	}
	s := &Session{cfg: cfg}
	// The venue exists first: every part reports into it. Its rules, fees
	// and sender are set below, before anything can submit.
	s.venue = NewVenue(VenueConfig{Quote: cfg.Quote, Recovered: cfg.Recovered, Net: cfg.Net, Logger: cfg.Logger})
	if s.p, err = build(cfg, s.venue, s.venue.WantReconcile); err != nil {
		return nil, err
	}
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.run(runCtx)
	if err := s.resume(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// connect does what must succeed before any goroutine starts.
func (s *Session) connect(ctx context.Context) error {
	if err := s.p.Clock.Sync(ctx); err != nil {
		return fmt.Errorf("binance: clock: %w", err)
	}
	rules, _, err := s.p.API.ExchangeInfo(ctx, s.cfg.Symbols)
	if apiErr := (*APIError)(nil); errors.As(err, &apiErr) && apiErr.Code == -1121 {
		// The venue answered: a symbol it does not list is the request's
		// fault, not the venue's (it was reported as unreachable).
		return fmt.Errorf("%w: the venue does not list one of %s (as %s): %s", ErrNotListed, strings.Join(s.cfg.Symbols, ", "),
			strings.Join(s.venueSymbols(), ", "), apiErr.Msg)
	}
	if err != nil {
		return fmt.Errorf("binance: exchange info: %w", err)
	}
	for _, sym := range s.cfg.Symbols {
		if _, ok := rules[sym]; !ok {
			return fmt.Errorf("%w: the venue does not list %s", ErrNotListed, sym)
		}
	}
	if s.account, err = s.p.API.Account(ctx); err != nil {
		return fmt.Errorf("binance: account: %w", err)
	}
	if !s.account.CanTrade {
		return errors.New("binance: the account may not trade (canTrade is false)")
	}
	s.start = maps(s.cfg.StartBalances)
	if s.cfg.StartBalances == nil {
		for _, b := range s.account.Balances {
			s.start[b.Asset] = b.Total()
		}
	}
	v := s.venue
	v.rules, v.start, v.check, v.synced = rules, maps(s.start), s.p.Check, s.p.Market.Synced
	v.maker, v.taker = s.account.MakerBps, s.account.TakerBps
	v.SetSender(s.p.Sender)
	return nil
}

// run starts the parts' goroutines and the session's own.
func (s *Session) run(ctx context.Context) {
	for i, r := range []runner{s.p.Clock, s.p.Market, s.p.UserStream, s.p.Sender} {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := r.Run(ctx); err != nil && ctx.Err() == nil {
				err = fmt.Errorf("stopped: %w", err)
				s.stopped[i].Store(&err)
				s.cfg.Logger.Error("binance: a venue part stopped", "err", err)
			}
		}()
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.reconcileLoop(ctx) }()
	go func() { defer s.wg.Done(); s.rulesLoop(ctx) }()
}

// resume sends a resumed session's orders whose outcome is unknown (NEW:
// the venue never answered) to the sender to resolve, and reconciles the
// rest before the loop's first tick.
func (s *Session) resume(ctx context.Context) error {
	for _, r := range s.cfg.Recovered {
		if r.Order.State == venue.StateNew {
			s.p.Sender.Resolve(r.Order.Spec.Symbol, r.Order.ClientID)
		}
	}
	if err := s.p.Reconciler.Reconcile(ctx, s.venue.View()); err != nil {
		return fmt.Errorf("binance: first reconciliation: %w", err)
	}
	return nil
}

// reconcileLoop reconciles every view the loop hands over, and asks for
// one every ReconcileEvery.
func (s *Session) reconcileLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.ReconcileEvery)
	defer t.Stop()
	// A pass that saw a drift it could not confirm asks for another one
	// soon, not a period later: most such drifts are a fill that was on
	// its way to the loop, and the next pass clears them.
	recheck := time.NewTimer(0)
	<-recheck.C
	defer recheck.Stop()
	suspect, _ := s.p.Reconciler.(interface{ Suspect() bool })
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.venue.WantReconcile()
		case <-recheck.C:
			s.venue.WantReconcile()
		case v := <-s.venue.Views():
			if err := s.p.Reconciler.Reconcile(ctx, v); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Warn("binance: reconciliation failed", "err", err)
			}
			if suspect != nil && suspect.Suspect() {
				recheck.Reset(recheckAfter)
			}
		}
	}
}

// recheckAfter is how soon a pass that saw an unconfirmed drift is
// followed by another.
const recheckAfter = 2 * time.Second

// rulesLoop fetches the symbols' rules again every RulesEvery: the venue
// changes filters and trading status.
func (s *Session) rulesLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.RulesEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rules, _, err := s.p.API.ExchangeInfo(ctx, s.cfg.Symbols)
			if err != nil {
				s.cfg.Logger.Warn("binance: refreshing exchange info", "err", err)
				continue
			}
			s.venue.SetRules(rules)
		}
	}
}

// Venue is the loop's venue; Source its market data.
func (s *Session) Venue() *Venue          { return s.venue }
func (s *Session) Source() market.Source  { return s.p.Market }
func (s *Session) Symbols() []string      { return s.cfg.Symbols }
func (s *Session) FeeBps() (int64, int64) { return s.account.MakerBps, s.account.TakerBps }

// StartBalances are the balances the session started with.
func (s *Session) StartBalances() map[string]money.Decimal { return maps(s.start) }

// Account names the account for the operator (not a secret).
func (s *Session) Account() string {
	return s.account.Name()
}

// Health judges each part, plus order entry while it is halted.
func (s *Session) Health(now time.Time) []Health {
	hs := make([]Health, 0, 7)
	for i, j := range []judged{s.p.Clock, s.p.Market, s.p.UserStream, s.p.VenueHealth} {
		h := j.Health(now)
		// stopped[i] is the Run of the part judged i-th (the sender's for
		// "venue": order entry is what stops with it).
		if err := s.stopped[i].Load(); err != nil {
			h.Level, h.Reason = Unhealthy, (*err).Error()
		}
		hs = append(hs, h)
	}
	hs = append(hs, s.p.Reconciler.Health(now))
	// order_entry is listed when it is well too: the daemon makes its
	// checks from the names the first call returns.
	oe := Health{Name: "order_entry", Level: Healthy}
	if h := s.venue.Halted(); h != "" {
		oe.Level, oe.Reason = Degraded, h
	}
	return append(hs, oe)
}

// Close stops every part and waits for its goroutines. It may be called
// more than once.
func (s *Session) Close() error {
	s.once.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
	})
	return nil
}
