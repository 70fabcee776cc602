package session

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/store"
)

// deadlineStore records the deadline of the contexts the stop path hands to
// the store.
type deadlineStore struct {
	store.Store
	mu        sync.Mutex
	commits   []time.Time // CommitTick's deadlines, zero for none
	endRecord time.Time
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

func (d *deadlineStore) CommitTick(ctx context.Context, b *store.Batch) error {
	d.mu.Lock()
	d.commits = append(d.commits, deadlineOf(ctx))
	d.mu.Unlock()
	return d.Store.CommitTick(ctx, b)
}

func (d *deadlineStore) UpdateSession(ctx context.Context, id, state, reason string, ended time.Time, summary []byte) error {
	d.mu.Lock()
	d.endRecord = deadlineOf(ctx)
	d.mu.Unlock()
	return d.Store.UpdateSession(ctx, id, state, reason, ended, summary)
}

func newDeadlineStore(t *testing.T) *deadlineStore {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &deadlineStore{Store: st}
}

// restingBuy rests far below the market, on the tick and worth the
// minimum notional: the venue refuses anything else.
var restingBuy = venue.OrderSpec{Symbol: "BTC-USD", Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC,
	Quantity: money.MustParse("0.01"), Price: money.FromInt(1000)}

// within checks that d is a deadline the stop derived from its own: no
// earlier than the stop's deadline could have been, no later either.
func within(t *testing.T, what string, d, before, after time.Time, timeout time.Duration) {
	t.Helper()
	if d.IsZero() || d.Before(before.Add(timeout)) || d.After(after.Add(timeout)) {
		t.Fatalf("%s ran with deadline %v; the stop's was between %v and %v", what,
			d.Format(time.StampMicro), before.Add(timeout).Format(time.StampMicro), after.Add(timeout).Format(time.StampMicro))
	}
}

// A loop that never returns: the stop answers by its deadline, names the
// child that did not stop and the order it could not cancel, and records
// the session's end under the caller's deadline, not a fresh one.
func TestStopDeadlineHoldsWithALoopThatNeverReturns(t *testing.T) {
	st := newDeadlineStore(t)
	m, r := newTestManager(t, func(o *Options) { o.Store = st })
	spec := restingBuy
	r.strat.place.Store(&spec)
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a resting order", func() bool { return m.cur.orders.OpenCount() == 1 })
	release := r.blockLoop(t)

	const timeout = 100 * time.Millisecond
	before := time.Now()
	snap, _, was, err := m.Stop(context.Background(), StopOptions{Timeout: timeout})
	after := time.Now()
	if err != nil || !was {
		t.Fatalf("stop: %v was=%v", err, was)
	}
	if snap.State == StateStopped || len(snap.Summary.Unstopped) == 0 || snap.Summary.Unstopped[0] != "coordinator" {
		t.Fatalf("state %v, unstopped %v: want the coordinator named", snap.State, snap.Summary.Unstopped)
	}
	open, _ := m.cur.orders.List(true, 0)
	if len(open) != 1 || len(snap.Unsettled) != 1 || snap.Unsettled[0] != open[0].ClientID {
		t.Fatalf("unsettled %v, open %v", snap.Unsettled, open)
	}
	<-m.cur.Done()
	// Only the loop: the monitor stopped at once, even though the loop
	// had used up the deadline by the time it was looked at.
	if u := m.cur.Snapshot().Summary.Unstopped; len(u) != 1 {
		t.Fatalf("unstopped = %v, want only the coordinator", u)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	within(t, "recording the end", st.endRecord, before, after, timeout)
	close(release)
}

// A stop that settles orders commits the cancellations under the stop's
// deadline too.
func TestStopSettlesOrdersUnderTheCallersDeadline(t *testing.T) {
	st := newDeadlineStore(t)
	m, r := newTestManager(t, func(o *Options) { o.Store = st })
	spec := restingBuy
	r.strat.place.Store(&spec)
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a resting order", func() bool { return m.cur.orders.OpenCount() == 1 })
	const timeout = 3 * time.Second
	before := time.Now()
	snap, _, _, err := m.Stop(context.Background(), StopOptions{Timeout: timeout})
	after := time.Now()
	if err != nil || snap.State != StateStopped || len(snap.Unsettled) != 0 || m.cur.orders.OpenCount() != 0 {
		t.Fatalf("stop: %v %v unsettled %v open %d", err, snap.State, snap.Unsettled, m.cur.orders.OpenCount())
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	within(t, "settling the orders", st.commits[len(st.commits)-1], before, after, timeout)
	within(t, "recording the end", st.endRecord, before, after, timeout)
}
