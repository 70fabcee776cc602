package session

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// faultyStrategy lets a test make the trading loop panic or block on demand.
type faultyStrategy struct {
	panics atomic.Int32 // panics left to throw
	block  atomic.Pointer[chan struct{}]
	// waiting counts calls that reached the block: a tick is stuck.
	waiting atomic.Int32
	calls   atomic.Int64
	// panicWith, if set, is thrown after the block is released: a tick
	// that panics while the session is stopping.
	panicWith atomic.Value
	// fatal, if set, is thrown as is (a typed panic value).
	fatal atomic.Pointer[coordinator.FatalError]
	// place, if set, is placed once, on the next call.
	place atomic.Pointer[venue.OrderSpec]
}

func (f *faultyStrategy) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	f.calls.Add(1)
	if f.panics.Load() > 0 {
		f.panics.Add(-1)
		panic("injected strategy panic")
	}
	if e := f.fatal.Load(); e != nil {
		panic(e)
	}
	if o := f.place.Swap(nil); o != nil {
		dst = append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: *o})
	}
	if ch := f.block.Load(); ch != nil {
		f.waiting.Add(1)
		<-*ch
		if v := f.panicWith.Load(); v != nil {
			panic(v)
		}
	}
	return dst
}

// rig builds sessions from the paper venue with a strategy the test controls,
// and counts what it built.
type rig struct {
	strat  *faultyStrategy
	mu     sync.Mutex
	feeds  []*countingFeed
	builds atomic.Int32
}

type countingFeed struct {
	market.Source
	calls atomic.Int64
}

func (c *countingFeed) Next(ctx context.Context, until time.Time) (market.Event, bool, error) {
	c.calls.Add(1)
	return c.Source.Next(ctx, until)
}

func (r *rig) build(p *assemble.Parts) {
	r.builds.Add(1)
	f := &countingFeed{Source: p.Source}
	r.mu.Lock()
	r.feeds = append(r.feeds, f)
	r.mu.Unlock()
	p.Source, p.Strategy = f, r.strat
}

// newTestManager returns a manager with fast restarts and the rig's parts,
// and stops whatever runs when the test ends.
func newTestManager(t *testing.T, mutate func(*Options)) (*Manager, *rig) {
	t.Helper()
	r := &rig{strat: &faultyStrategy{}}
	opts := Options{
		HealthInterval: 300 * time.Second,
		StopTimeout:    5 * time.Second,
		Restart:        RestartPolicy{Intensity: 3, Period: time.Minute, BackoffMin: time.Millisecond, BackoffMax: 5 * time.Millisecond},
		Assembler:      assemble.Paper{Replace: r.build},
	}
	if mutate != nil {
		mutate(&opts)
	}
	m := NewManager(opts)
	t.Cleanup(func() {
		if ch := r.strat.block.Load(); ch != nil {
			select {
			case <-*ch:
			default:
				close(*ch)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		m.Shutdown(ctx)
	})
	return m, r
}

func paperSettings(tick time.Duration) settings.Settings {
	return settings.Settings{Mode: settings.ModePaper, Symbols: []string{"BTC-USD"}, TickInterval: tick}
}

// eventually polls cond until it holds or a generous timeout passes. Tests
// assert order and outcomes, never tight timings: CI machines are noisy.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// watch collects every report published from now on.
type watch struct {
	mu      sync.Mutex
	reports []*Report
	sub     *sessionhealth.Subscription[Report]
	done    chan struct{}
}

func startWatch(t *testing.T, m *Manager) *watch {
	t.Helper()
	sub, err := m.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	w := &watch{sub: sub, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			select {
			case r := <-sub.C():
				w.mu.Lock()
				w.reports = append(w.reports, r)
				w.mu.Unlock()
			case <-sub.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { sub.Close(); m.hub.Close(); <-w.done })
	return w
}

func (w *watch) find(pred func(*Report) bool) *Report {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.reports {
		if pred(r) {
			return r
		}
	}
	return nil
}

func component(r *Report, name string) sessionhealth.Component {
	for _, c := range r.Components {
		if c.Name == name {
			return c
		}
	}
	return sessionhealth.Component{}
}

// blockLoop makes the strategy block in its next decision and waits until
// the loop is stuck there; closing the channel lets it go.
func (r *rig) blockLoop(t *testing.T) chan struct{} {
	t.Helper()
	release := make(chan struct{})
	r.strat.block.Store(&release)
	eventually(t, "the loop to block", func() bool { return r.strat.waiting.Load() > 0 })
	return release
}

// restBuy has the strategy rest a limit buy of 0.01 BTC-USD at 30,000, and
// waits until the store holds it open.
func (r *rig) restBuy(t *testing.T, st store.Store, id string) {
	t.Helper()
	r.strat.place.Store(&venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.MustParse("0.01"), Price: money.FromInt(30_000)})
	eventually(t, "the buy resting, committed", func() bool {
		open, _, err := st.ListOrders(context.Background(), id, true, 0)
		return err == nil && len(open) == 1
	})
}
