package binance

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// sender is the order sender as the loop's side uses it (*Sender): each
// call hands the request to the sender's goroutine and returns at once.
type sender interface {
	// Place reports false when the sender's queue is full.
	Place(OrderRequest) bool
	Cancel(symbol, clientID string) bool
	// Resolve asks the venue about an order whose outcome is unknown.
	Resolve(symbol, clientID string)
}

// RuleCheck judges an order against a symbol's rules before it is sent:
// "FILTER_NAME: why", or "" to pass. avg is the reference for percent
// price rules, open the symbol's open order count.
type RuleCheck func(r Rules, spec venue.OrderSpec, ref, avg money.Decimal, open int) string

// Recovered is an open order of a resumed session as the store has it,
// with the venue trade ids of the fills already applied to it.
type Recovered struct {
	Order    venue.OpenOrder
	TradeIDs []int64
}

// View is what the loop's side believes, handed to a reconciliation: the
// open orders with their applied trades, and the balances our fills
// explain (start balances plus the net of every applied fill).
type View struct {
	Open     []Recovered
	Expected map[string]money.Decimal
}

// VenueConfig is what a Venue starts from.
type VenueConfig struct {
	Quote              string // the venue's quote asset (USDT)
	Rules              map[string]Rules
	MakerBps, TakerBps int64
	// Check judges an order against its symbol's rules; nil checks only
	// the rules the loop knows (venue.Filters).
	Check RuleCheck
	// Synced reports whether a symbol's local book follows the venue's;
	// an order is never sent on a book that does not.
	Synced func(symbol string) bool
	// Recovered are the open orders of a resumed session; Start the
	// balances the session started with, Net what its stored fills
	// changed since (both in the venue's assets: BTC, USDT).
	Recovered  []Recovered
	Start, Net map[string]money.Decimal
	Logger     *slog.Logger
}

// maxFinished bounds how many ended orders are remembered, so that a late
// or repeated report for one is recognised and ignored. Older ones are
// forgotten together with their trade ids: a report for an order the
// venue side does not know is ignored anyway.
const maxFinished = 10_000

// haltRetry is how long a strategy is asked to wait (the report's
// RetryAt) before it places again an order refused while order entry is
// halted.
const haltRetry = 10 * time.Second

// ErrNoSuchOrder and ErrOrderEnded are wrapped by Cancel's errors.
var (
	ErrNoSuchOrder = errors.New("binance: unknown order")
	ErrOrderEnded  = errors.New("binance: order has ended")
)

// Venue is the live venue as the trading loop sees it. Every method of
// venue.Venue runs on the loop's goroutine and returns at once: orders
// go to the sender's goroutine, and what the venue says comes back
// through the Sink methods, which any goroutine may call, into an inbox
// that OnEvent drains. Reports are made from the venue's updates so that
// each trade applies once by (symbol, trade id), duplicated and reordered
// updates change nothing, and an order's state never goes back.
type Venue struct {
	send   sender
	synced func(string) bool
	check  RuleCheck
	quote  string
	maker  int64
	taker  int64
	log    *slog.Logger

	// Loop-owned state.
	rules    map[string]Rules
	orders   map[string]*order // live and recently ended, by client id
	open     []*order          // live orders, in submit order
	count    map[string]int    // live orders per symbol
	trades   map[tradeKey]struct{}
	finished []*order // ended orders, oldest first (see maxFinished)
	start    map[string]money.Decimal
	net      map[string]money.Decimal
	ignored  uint64 // updates for orders we do not know
	batch    []OrderUpdate

	// haltReason is "" or why order entry is halted, for Submit to read
	// without a lock; views carries reconciliation requests to the
	// session (latest wins); wantView asks the loop to make one.
	haltReason atomic.Pointer[string]
	wantView   atomic.Bool
	views      chan View

	mu       sync.Mutex // guards the inbox below
	inbox    []OrderUpdate
	newRules map[string]Rules
	halts    map[string]string
	balances map[string]Balance
}

type tradeKey struct {
	symbol string
	id     int64
}

// NewVenue makes the loop's side of a live venue. The sender is set with
// SetSender before the first Submit: it needs the venue as its Sink.
func NewVenue(cfg VenueConfig) *Venue {
	v := &Venue{synced: cfg.Synced, check: cfg.Check, quote: cfg.Quote, maker: cfg.MakerBps, taker: cfg.TakerBps,
		log: cfg.Logger, rules: cfg.Rules, orders: map[string]*order{}, count: map[string]int{},
		trades: map[tradeKey]struct{}{}, start: maps(cfg.Start), net: maps(cfg.Net),
		views: make(chan View, 1), halts: map[string]string{}, balances: map[string]Balance{}}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.quote == "" {
		v.quote = DefaultQuote
	}
	if v.synced == nil {
		v.synced = func(string) bool { return true }
	}
	if v.rules == nil {
		v.rules = map[string]Rules{}
	}
	empty := ""
	v.haltReason.Store(&empty)
	for _, r := range cfg.Recovered {
		o := &order{id: r.Order.ClientID, spec: r.Order.Spec, state: r.Order.State, filled: r.Order.Filled,
			executed: r.Order.Filled, submitted: r.Order.Submitted, arrival: r.Order.Arrival,
			tradeIDs: slices.Clone(r.TradeIDs)}
		if o.state.Final() || o.state == 0 {
			continue // not open: nothing will change it
		}
		for _, id := range r.TradeIDs {
			v.trades[tradeKey{o.spec.Symbol, id}] = struct{}{}
		}
		v.add(o)
	}
	return v
}

// SetSender sets where orders go. Call it before the loop runs.
func (v *Venue) SetSender(s sender) { v.send = s }

// WriteAhead: orders leave the process, so the loop commits each first.
func (v *Venue) WriteAhead() bool { return true }

// Submit hands the order to the sender, or refuses it here, saying why,
// when it could not succeed: order entry halted, the symbol not traded,
// its book not in sync, a rule broken. A sent order stays NEW until the
// venue answers (through OnEvent).
func (v *Venue) Submit(spec venue.OrderSpec, clientID string, decision market.Event, now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	ref := decision.Ask
	if spec.Side == venue.Sell {
		ref = decision.Bid
	}
	// The venue's percent price rules use its average price, which the
	// mid of the decision's book stands for here.
	avg := ref
	if decision.Bid.IsPositive() && decision.Ask.IsPositive() {
		avg = decision.Bid.Add(decision.Ask).Half()
	}
	if _, dup := v.orders[clientID]; dup {
		// The loop never reuses an id; refusing it would end the order
		// that holds it, so the venue neither sends nor reports it.
		v.log.Error("binance: order id submitted twice, not sent", "client_id", clientID)
		return dst
	}
	if reason := v.refusal(spec, ref, avg); reason != "" {
		r := venue.ExecutionReport{ClientID: clientID, Symbol: spec.Symbol, Side: spec.Side,
			State: venue.StateRejected, Reason: reason, Remaining: spec.Quantity, DecisionPrice: ref, Time: now}
		if v.Halted() != "" {
			// A halt lasts seconds to days (a 418 ban): a strategy asking
			// again on every event stored a rejected order per level a tick.
			r.RetryAt = now.Add(haltRetry)
		}
		return append(dst, r)
	}
	o := &order{id: clientID, spec: spec, state: venue.StateNew, submitted: now, decision: ref}
	v.add(o)
	if !v.send.Place(OrderRequest{ClientID: clientID, Spec: spec}) {
		v.remove(o)
		delete(v.orders, clientID)
		return append(dst, venue.ExecutionReport{ClientID: clientID, Symbol: spec.Symbol, Side: spec.Side,
			State: venue.StateRejected, Reason: "not sent: the order sender's queue is full",
			Remaining: spec.Quantity, DecisionPrice: ref, Time: now})
	}
	return dst
}

func (v *Venue) refusal(spec venue.OrderSpec, ref, avg money.Decimal) string {
	if h := *v.haltReason.Load(); h != "" {
		return h
	}
	r, ok := v.rules[spec.Symbol]
	switch {
	case !ok:
		return "symbol " + spec.Symbol + " is not traded on the venue"
	case !r.Trading:
		return "symbol " + spec.Symbol + " is not trading on the venue now"
	case !v.synced(spec.Symbol):
		return "the order book of " + spec.Symbol + " is not in sync with the venue's: no order is sent on it"
	}
	if v.check != nil {
		return v.check(r, spec, ref, avg, v.count[spec.Symbol])
	}
	return r.Filters.Check(&spec, ref)
}

// Cancel asks the venue to cancel a live order; its CANCELLED report
// comes when the venue confirms. A cancel already on its way is not sent
// again within a second.
func (v *Venue) Cancel(clientID string, now time.Time, dst []venue.ExecutionReport) ([]venue.ExecutionReport, error) {
	o := v.orders[clientID]
	switch {
	case o == nil:
		return dst, fmt.Errorf("%w %q", ErrNoSuchOrder, clientID)
	case o.state.Final() || o.final != StatusUnknown:
		return dst, fmt.Errorf("%w: %q", ErrOrderEnded, clientID)
	}
	if !o.cancelAt.IsZero() && now.Sub(o.cancelAt) < time.Second {
		return dst, nil
	}
	if !v.send.Cancel(o.spec.Symbol, clientID) {
		return dst, fmt.Errorf("binance: cancel %q not sent: the order sender's queue is full", clientID)
	}
	o.cancelAt = now
	return dst, nil
}

// CancelAll asks the venue to cancel every live order.
func (v *Venue) CancelAll(now time.Time, dst []venue.ExecutionReport) []venue.ExecutionReport {
	for _, o := range slices.Clone(v.open) {
		var err error
		if dst, err = v.Cancel(o.id, now, dst); err != nil && !errors.Is(err, ErrOrderEnded) {
			v.log.Warn("binance: cancel all", "client_id", o.id, "err", err)
		}
	}
	return dst
}

// Open appends the live orders in submit order.
func (v *Venue) Open(dst []venue.OpenOrder) []venue.OpenOrder {
	for _, o := range v.open {
		dst = append(dst, o.openOrder())
	}
	return dst
}

func (v *Venue) OpenCount(symbol string) int { return v.count[symbol] }
func (v *Venue) OpenTotal() int              { return len(v.open) }

func (v *Venue) Filters(symbol string) venue.Filters { return v.rules[symbol].Filters }

// FeeBps are the account's commission rates.
func (v *Venue) FeeBps() (maker, taker int64) { return v.maker, v.taker }

// OnEvent drains what the venue said since the last event and appends
// the reports it makes. Any event does, a heartbeat included.
func (v *Venue) OnEvent(ev *market.Event, dst []venue.ExecutionReport) []venue.ExecutionReport {
	v.mu.Lock()
	v.batch, v.inbox = v.inbox, v.batch[:0]
	rules := v.newRules
	v.newRules = nil
	v.mu.Unlock()
	if rules != nil {
		v.rules = rules
	}
	for i := range v.batch {
		dst = v.apply(&v.batch[i], ev.Time, dst)
		v.batch[i] = OrderUpdate{} // drop the Trade pointer
	}
	if v.wantView.Swap(false) {
		v.postView()
	}
	return dst
}

// postView hands the session a view to reconcile, replacing one it has
// not taken yet: the newer view is the truer one.
func (v *Venue) postView() {
	view := v.View()
	select {
	case <-v.views:
	default:
	}
	select {
	case v.views <- view:
	default:
	}
}

// View is what the loop's side believes now. Call it on the loop's
// goroutine (or before the loop runs).
func (v *Venue) View() View {
	view := View{Open: make([]Recovered, 0, len(v.open)), Expected: map[string]money.Decimal{}}
	for _, o := range v.open {
		view.Open = append(view.Open, Recovered{Order: o.openOrder(), TradeIDs: slices.Clone(o.tradeIDs)})
	}
	for a, d := range v.start {
		view.Expected[a] = d
	}
	for a, d := range v.net {
		view.Expected[a] = view.Expected[a].Add(d)
	}
	return view
}

// Net is what the applied fills changed per asset, the session's stored
// fills included.
func (v *Venue) Net() map[string]money.Decimal { return maps(v.net) }

// Views delivers the loop's views to reconcile; see WantReconcile.
func (v *Venue) Views() <-chan View { return v.views }

// WantReconcile asks the loop for a view at its next event. Any goroutine.
func (v *Venue) WantReconcile() { v.wantView.Store(true) }
