package venueemu

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/venue"
)

// exchange is the venue's state: the simulated market, the matching
// engine, the account, the published books and the subscribers. One mutex
// guards all of it, because every change (an order, a market step) touches
// books, orders, balances and the messages that tell of them, and the
// messages must leave in the order the changes happened. Nothing under the
// lock blocks: messages go into each connection's buffer or the
// connection is dropped as a slow consumer.
type exchange struct {
	mu      sync.Mutex
	cfg     Config
	faults  *faultState
	sim     *paper.Sim
	engine  *matching.Engine
	syms    map[string]*symbol // by venue name (BTCUSDT)
	order   []*symbol          // in Config.Symbols order
	byInner map[string]*order  // the engine's id of an order → the order
	bal     map[string]*balance
	ledger  Ledger
	reports []venue.ExecutionReport // scratch

	depthSubs map[*conn]map[string]string // connection → venue symbol → stream name
	userSubs  map[*conn][]int64           // connection → its subscription ids
	nextSubID int64
	// nextExecID numbers execution reports ("I", the execution id).
	nextExecID int64
	delivery   reportDelivery
}

// symbol is one listed symbol.
type symbol struct {
	ours, venue string
	inst        paper.Instrument
	// last is the latest market event, its Book pointing at book (the
	// Sim's own storage is valid only until its next event); the engine
	// needs it as the decision event of an order placed now.
	last market.Event
	book market.Book
	seen bool
	// published is the book as of lastUpdateID: what /api/v3/depth shows
	// and the diff streams have told.
	published    market.Book
	lastUpdateID int64
	nextOrderID  int64
	nextTradeID  int64
	orders       map[int64]*order
	// open maps a client order id to its open order: the venue's
	// uniqueness of client ids holds only among open orders.
	open map[string]*order
	// latest maps a client order id to the newest order that carried it,
	// which is what a query by origClientOrderId finds.
	latest map[string]*order
	trades []*trade
}

type balance struct{ free, locked money.Decimal }

func newExchange(cfg Config, faults *faultState, start time.Time) (*exchange, error) {
	sim, err := paper.NewSim(paper.SimConfig{Seed: cfg.Seed, Symbols: cfg.Symbols, Start: start, Step: cfg.Step, Levels: cfg.Levels})
	if err != nil {
		return nil, fmt.Errorf("venueemu: %w", err)
	}
	engine, err := matching.New(matching.Config{MakerFeeBps: cfg.Fees.MakerBps, TakerFeeBps: cfg.Fees.TakerBps})
	if err != nil {
		return nil, fmt.Errorf("venueemu: %w", err)
	}
	x := &exchange{
		cfg: cfg, faults: faults, sim: sim, engine: engine,
		syms: make(map[string]*symbol), byInner: make(map[string]*order), bal: make(map[string]*balance),
		depthSubs: make(map[*conn]map[string]string), userSubs: make(map[*conn][]int64),
	}
	for _, s := range cfg.Symbols {
		inst, _ := paper.Lookup(s)
		sym := &symbol{ours: s, venue: inst.Base + cfg.Quote, inst: inst, nextOrderID: 1, nextTradeID: 1,
			orders: make(map[int64]*order), open: make(map[string]*order), latest: make(map[string]*order)}
		x.syms[sym.venue] = sym
		x.order = append(x.order, sym)
		x.balance(inst.Base)
	}
	x.balance(cfg.Quote)
	for a, v := range cfg.Balances {
		x.balance(a).free = v
	}
	// The opening books, so that the first client sees a market.
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.step(context.Background(), start); err != nil {
		return nil, err
	}
	for _, sym := range x.order {
		if !sym.seen {
			return nil, fmt.Errorf("venueemu: no opening book for %s", sym.ours)
		}
	}
	return x, nil
}

func (x *exchange) balance(asset string) *balance {
	b := x.bal[asset]
	if b == nil {
		b = &balance{}
		x.bal[asset] = b
	}
	return b
}

// run steps the market every step of the machine's clock until ctx ends.
func (x *exchange) run(ctx context.Context, step time.Duration) {
	t := time.NewTicker(step)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			x.mu.Lock()
			err := x.step(ctx, now)
			x.mu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// step feeds the market's events due by now to the engine, applies the
// fills, and publishes each symbol's depth change as one depthUpdate.
func (x *exchange) step(ctx context.Context, now time.Time) error {
	for {
		ev, ok, err := x.sim.Next(ctx, now)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		sym := x.syms[paperVenue(x.cfg.Quote, ev.Symbol)]
		sym.copyBook(&ev)
		x.reports = x.engine.OnEvent(&sym.last, x.reports[:0])
		x.apply(x.reports, nil)
	}
	for _, sym := range x.order {
		x.publishDepth(sym)
	}
	x.flushHeld(now.Add(-reorderHold))
	return nil
}

// reorderHold is how long a held-back report waits for one to overtake it.
const reorderHold = 500 * time.Millisecond

func paperVenue(quote, ours string) string {
	in, _ := paper.Lookup(ours)
	return in.Base + quote
}

// copyBook makes ev the symbol's last event, with a book of its own.
func (s *symbol) copyBook(ev *market.Event) {
	s.last = *ev
	s.seen = true
	if ev.Book != nil {
		s.book.Bids = append(s.book.Bids[:0], ev.Book.Bids...)
		s.book.Asks = append(s.book.Asks[:0], ev.Book.Asks...)
	}
	s.last.Book = &s.book
}

// publishDepth sends the change from the published book to the current
// one, if any, as one depthUpdate whose update ids continue the last.
func (x *exchange) publishDepth(s *symbol) {
	bids := diffSide(s.published.Bids, s.book.Bids)
	asks := diffSide(s.published.Asks, s.book.Asks)
	n := int64(len(bids) + len(asks))
	if n == 0 {
		return
	}
	first := s.lastUpdateID + 1
	s.lastUpdateID += n
	s.published.Bids = append(s.published.Bids[:0], s.book.Bids...)
	s.published.Asks = append(s.published.Asks[:0], s.book.Asks...)
	if x.faults.takeDepthGap() {
		return // the update is lost: the next one's U shows the gap
	}
	msg := depthUpdate{E: time.Now().UnixMilli(), Event: "depthUpdate", S: s.venue, U: first, LastU: s.lastUpdateID,
		B: bids, A: asks}
	x.sendDepth(s.venue, msg)
}

// diffSide lists the levels that changed from old to cur: a new size, or
// zero for a level that went.
func diffSide(old, cur []market.Level) [][2]string {
	var out [][2]string
	for _, c := range cur {
		found := false
		for _, o := range old {
			if o.Price == c.Price {
				found = true
				if o.Size != c.Size {
					out = append(out, level(c))
				}
				break
			}
		}
		if !found {
			out = append(out, level(c))
		}
	}
	for _, o := range old {
		gone := true
		for _, c := range cur {
			if c.Price == o.Price {
				gone = false
				break
			}
		}
		if gone {
			out = append(out, level(market.Level{Price: o.Price}))
		}
	}
	return out
}

func level(l market.Level) [2]string { return [2]string{dec(l.Price), dec(l.Size)} }

// dec is a decimal as Binance writes it: a string with 8 places.
func dec(d money.Decimal) string { return d.StringFixed(8) }
