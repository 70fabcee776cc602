package session

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/store"
)

// runCtl drives the strategies of a session's runs apart: run 0 is the
// first, run 1 its resume. Each places the order put in its slot, once;
// the first run's placement blocks its tick while hold is set, so that its
// stuck tick carries an order the store must never see.
type runCtl struct {
	place   [2]atomic.Pointer[venue.OrderSpec]
	hold    atomic.Pointer[chan struct{}]
	waiting atomic.Int32
	builds  atomic.Int32
}

type runStrategy struct {
	ctl *runCtl
	run int
}

func (s *runStrategy) OnEvent(_ *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	o := s.ctl.place[s.run].Swap(nil)
	if o == nil {
		return dst
	}
	dst = append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: *o})
	if ch := s.ctl.hold.Load(); ch != nil && s.run == 0 {
		s.ctl.waiting.Add(1)
		<-*ch
	}
	return dst
}

func (c *runCtl) build(p *assemble.Parts) {
	p.Strategy = &runStrategy{ctl: c, run: int(min(c.builds.Add(1)-1, 1))}
}

func buyAt(price int64) *venue.OrderSpec {
	return &venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
		Quantity: money.MustParse("0.01"), Price: money.FromInt(price)}
}

// A session stopped with its loop stuck mid-tick can be resumed while
// that loop is still alive: two loops then run for one session id. The
// old one, returning from its tick after the resume, must change nothing
// the resumed run owns: no row in the store (its tick carries an order
// whose client id the resumed run has used since), no counters, account
// or venue overwriting the resumed run's, no report showing the session
// FAILED while it trades.
func TestSupersededLoopLeavesTheResumedRunAlone(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	ctl := &runCtl{}
	m, _ := newTestManager(t, func(o *Options) { o.Store, o.Assembler = st, assemble.Paper{Replace: ctl.build} })
	snap, _, err := m.Start(paperSettings(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	id := snap.ID
	ctl.place[0].Store(buyAt(30_000))
	eventually(t, "the first run's buy resting, committed", func() bool {
		open, _, err := st.ListOrders(ctx, id, true, 0)
		return err == nil && len(open) == 1
	})

	// The first run's next placement gets stuck in its tick.
	release := make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	ctl.hold.Store(&release)
	ctl.place[0].Store(buyAt(29_000))
	eventually(t, "the first run's loop to block", func() bool { return ctl.waiting.Load() > 0 })
	old := m.cur
	final, _, _, _ := m.Stop(ctx, StopOptions{Timeout: 50 * time.Millisecond})
	if final.State == StateStopped || len(final.Unsettled) != 1 {
		t.Fatalf("stop of a stuck loop: %s, unsettled %v", final.State, final.Unsettled)
	}
	<-old.Done()

	if _, err := m.ResumeSession(ctx, id); err != nil {
		t.Fatalf("resume with the old loop still stuck: %v", err)
	}
	resumed := m.cur
	w := startWatch(t, m)
	resumedAt := storedCounters(t, st, id)
	eventually(t, "the resumed run to commit ticks", func() bool {
		return storedCounters(t, st, id).Ticks > resumedAt.Ticks+2
	})

	// The old loop finishes its tick: it places its buy at its own venue
	// and tries to commit it, with counters and an account that know
	// nothing of the resumed run, under the client id the resumed run
	// places its next order with.
	close(release)
	eventually(t, "the old loop to return", func() bool {
		select {
		case <-old.sup.Done(childCoordinator):
			return true
		default:
			return false
		}
	})
	ctl.place[1].Store(buyAt(30_500))
	eventually(t, "the resumed run's buy resting, committed", func() bool {
		open, _, err := st.ListOrders(ctx, id, true, 0)
		return err == nil && len(open) == 2
	})
	before := storedCounters(t, st, id)
	eventually(t, "the resumed run to commit more ticks", func() bool {
		return storedCounters(t, st, id).Ticks > before.Ticks+2
	})

	rec, err := st.GetSession(ctx, id)
	if err != nil || rec.State != store.StateRunning {
		t.Fatalf("stored session while the resumed run trades: %+v %v", rec, err)
	}
	all, _, err := st.ListOrders(ctx, id, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.Spec.Price.Cmp(money.FromInt(29_000)) == 0 {
			t.Errorf("the superseded loop's order reached the store: %s %s", o.ClientID, o.State)
		}
	}
	if len(all) != 2 {
		t.Fatalf("stored orders %d, want the first run's buy and the resumed run's: %+v", len(all), all)
	}
	pf, err := st.LoadPortfolio(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var held money.Decimal
	for _, r := range pf.Reservations {
		held = held.Add(r.Amount)
	}
	if len(pf.Reservations) != 2 || held.Cmp(pf.Cash) > 0 {
		t.Fatalf("stored account: %d reservations holding %s of %s cash; the two resting buys hold theirs",
			len(pf.Reservations), held, pf.Cash)
	}
	snapNow, ok, r := m.Status()
	if !ok || snapNow.ID != id || snapNow.State != StateRunning || r == nil || r.run != resumed || r.State != StateRunning {
		t.Fatalf("status with the resumed run trading: ok=%v %s %s, report %+v", ok, snapNow.ID, snapNow.State, r)
	}
	if stale := w.find(func(r *Report) bool { return r.run == old }); stale != nil {
		t.Fatalf("the superseded run published a report after the resume: %s %s", stale.State, stale.Reason)
	}

	end, _, _, err := m.Stop(ctx, StopOptions{})
	if err != nil || end.State != StateStopped {
		t.Fatalf("stop of the resumed run: %s %q %v", end.State, end.Reason, err)
	}
	orders, fills := storedCounts(t, st, id)
	c := storedCounters(t, st, id)
	if c.Orders != orders || c.Fills != fills || end.Summary.Orders != orders || end.Summary.Fills != fills {
		t.Fatalf("stored counters %+v, the stop says %d orders %d fills; rows: %d orders, %d fills",
			c, end.Summary.Orders, end.Summary.Fills, orders, fills)
	}
	if open, _, err := st.ListOrders(ctx, id, true, 0); err != nil || len(open) != 0 {
		t.Fatalf("orders open after the resumed run stopped: %+v %v", open, err)
	}
}

// stallingStore holds the commit of a tick placing an order at price
// until released: a loop stuck inside the store, past the journal's
// check that its session has not ended.
type stallingStore struct {
	store.Store
	price   money.Decimal
	release chan struct{}
	stuck   atomic.Int32
}

func (s *stallingStore) CommitTick(ctx context.Context, b *store.Batch) error {
	for _, o := range b.NewOrders {
		if o.Spec.Price.Cmp(s.price) == 0 {
			s.stuck.Add(1)
			<-s.release
		}
	}
	return s.Store.CommitTick(ctx, b)
}

// The same with the old loop stuck in the store's commit rather than in
// the strategy: it has passed the check that its session has not ended
// when the stop records the end. A resume now would let that commit land
// under the resumed run, its order taking the client id the resumed run
// places its next one with; the resume waits for it instead (refused
// while it is in flight), and the commit, landing after the end was
// recorded, is refused.
func TestResumeWaitsForTheSupersededLoopsCommit(t *testing.T) {
	ctx := context.Background()
	base := openTestStore(t)
	st := &stallingStore{Store: base, price: money.FromInt(29_000), release: make(chan struct{})}
	defer func() {
		select {
		case <-st.release:
		default:
			close(st.release)
		}
	}()
	ctl := &runCtl{}
	m, _ := newTestManager(t, func(o *Options) { o.Store, o.Assembler = st, assemble.Paper{Replace: ctl.build} })
	snap, _, err := m.Start(paperSettings(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	id := snap.ID
	ctl.place[0].Store(buyAt(30_000))
	eventually(t, "the first run's buy resting, committed", func() bool {
		open, _, err := base.ListOrders(ctx, id, true, 0)
		return err == nil && len(open) == 1
	})
	ctl.place[0].Store(buyAt(29_000))
	eventually(t, "the first run's commit to stall", func() bool { return st.stuck.Load() > 0 })
	old := m.cur
	if final, _, _, _ := m.Stop(ctx, StopOptions{Timeout: 50 * time.Millisecond}); final.State == StateStopped {
		t.Fatalf("stop of a loop stuck in the store: %s", final.State)
	}
	<-old.Done()

	_, err = m.ResumeSession(ctx, id)
	if !errors.Is(err, ErrStopping) {
		t.Fatalf("resume with the old loop's commit in flight: %v; want it refused as still stopping", err)
	}
	close(st.release)
	eventually(t, "the old loop to return", func() bool {
		select {
		case <-old.sup.Done(childCoordinator):
			return true
		default:
			return false
		}
	})
	if _, err := m.ResumeSession(ctx, id); err != nil {
		t.Fatalf("resume once the old loop returned: %v", err)
	}
	ctl.place[1].Store(buyAt(30_500))
	eventually(t, "the resumed run's buy resting, committed", func() bool {
		open, _, err := base.ListOrders(ctx, id, true, 0)
		return err == nil && len(open) == 2
	})
	all, _, err := base.ListOrders(ctx, id, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if o.Spec.Price.Cmp(st.price) == 0 {
			t.Errorf("the stopped loop's order reached the store after its end: %s %s", o.ClientID, o.State)
		}
	}
	end, _, _, err := m.Stop(ctx, StopOptions{})
	if err != nil || end.State != StateStopped {
		t.Fatalf("stop of the resumed run: %s %q %v", end.State, end.Reason, err)
	}
	orders, fills := storedCounts(t, base, id)
	if c := storedCounters(t, base, id); c.Orders != orders || c.Fills != fills || end.Summary.Orders != orders {
		t.Fatalf("stored counters %+v, the stop says %d orders; rows: %d orders, %d fills", c, end.Summary.Orders, orders, fills)
	}
}
