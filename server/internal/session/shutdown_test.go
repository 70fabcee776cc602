package session

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/internal/store"
)

// closeWatch flags any write that reaches the store after Close.
type closeWatch struct {
	store.Store
	mu          sync.Mutex
	closed      bool
	writesAfter []string
	// hold, if set, makes CommitTick wait for it or its context: a disk
	// that hangs. inflight counts the commits under way.
	hold     chan struct{}
	held     chan struct{} // receives when a commit starts to wait
	inflight int
}

func (c *closeWatch) note(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		c.writesAfter = append(c.writesAfter, what)
	}
}

func (c *closeWatch) CommitTick(ctx context.Context, b *store.Batch) error {
	c.note("CommitTick")
	c.mu.Lock()
	c.inflight++
	hold := c.hold
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inflight--
		c.mu.Unlock()
	}()
	if hold != nil {
		select {
		case c.held <- struct{}{}:
		default:
		}
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return c.Store.CommitTick(ctx, b)
}

func (c *closeWatch) UpdateSession(ctx context.Context, id, state, reason string, ended time.Time, summary []byte) error {
	c.note("UpdateSession")
	return c.Store.UpdateSession(ctx, id, state, reason, ended, summary)
}

func (c *closeWatch) Close() error {
	c.mu.Lock()
	c.closed = true
	if c.inflight > 0 {
		c.writesAfter = append(c.writesAfter, "Close under a CommitTick in flight")
	}
	c.mu.Unlock()
	return c.Store.Close()
}

// The daemon closes the store once Shutdown returned, even when the session
// did not stop in time: no goroutine of the session may write to it after.
func TestNoStoreWriteAfterShutdown(t *testing.T) {
	raw, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := &closeWatch{Store: raw}
	m, r := newTestManager(t, func(o *Options) { o.Store = st })
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a few ticks", func() bool { return m.cur.coord.Stats().Ticks >= 3 })
	release := r.blockLoop(t)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	m.Shutdown(ctx)
	cancel()
	if err := st.Close(); err != nil { // as the daemon does next
		t.Fatal(err)
	}
	close(release) // the loop finishes its tick and would commit it
	<-m.cur.Done()
	eventually(t, "the loop to finish its tick", func() bool { return m.cur.coord.Stats().TickStarted.IsZero() })
	m.cur.sup.StopChild(childCoordinator, time.Now().Add(10*time.Second))
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.writesAfter) > 0 {
		t.Fatalf("writes after the store was closed: %v", st.writesAfter)
	}
}

// A commit in flight when the daemon shuts down (a disk that hangs) is
// cancelled and waited for before Shutdown returns: the store is never
// closed under a write.
func TestShutdownWaitsForTheWriteInFlight(t *testing.T) {
	raw, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := &closeWatch{Store: raw, held: make(chan struct{}, 1)}
	m, _ := newTestManager(t, func(o *Options) { o.Store = st })
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a few ticks", func() bool { return m.cur.coord.Stats().Ticks >= 3 })
	hold := make(chan struct{})
	st.mu.Lock()
	st.hold = hold
	st.mu.Unlock()
	<-st.held // the loop is inside a commit that hangs

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	m.Shutdown(ctx)
	cancel()
	err = st.Close() // as the daemon does next
	close(hold)
	if err != nil {
		t.Fatal(err)
	}
	<-m.cur.Done()
	m.cur.sup.StopChild(childCoordinator, time.Now().Add(10*time.Second))
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.writesAfter) > 0 {
		t.Fatalf("the store was closed under a write: %v", st.writesAfter)
	}
}

// A daemon that shuts down while its trading loop is stuck mid-tick dies
// with the loop, as a kill -9 would: the store's last committed tick is
// all there is, its resting orders open. The session must come back
// INTERRUPTED, to be resumed or abandoned, not FAILED: a failed session
// can be neither, and its orders stayed ACCEPTED forever while new
// sessions started beside them.
func TestShutdownWithAStuckLoopLeavesTheSessionResumable(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	m, r := newTestManager(t, func(o *Options) { o.Store = st })
	snap, _, err := m.Start(paperSettings(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	r.restBuy(t, st, snap.ID)
	release := r.blockLoop(t)
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	m.Shutdown(sctx)
	cancel()
	defer func() {
		close(release)
		<-m.cur.Done()
		m.cur.sup.StopChild(childCoordinator, time.Now().Add(10*time.Second))
	}()
	// The next start of the daemon marks what it finds still running.
	if _, err := st.MarkInterrupted(ctx, "tradingd stopped while the session ran"); err != nil {
		t.Fatal(err)
	}
	rec, err := st.GetSession(ctx, snap.ID)
	if err != nil || rec.State != store.StateInterrupted {
		t.Fatalf("after a shutdown with the loop stuck and a restart: %s %q (%v); want INTERRUPTED", rec.State, rec.Reason, err)
	}
}
