package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/internal/store"
)

// A loop stuck past the stop deadline that finishes its tick later adds
// nothing to the session the store has already closed.
func TestLateTickAfterAFailedStopIsNotRecorded(t *testing.T) {
	st, err := store.Open(context.Background(), t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, r := newTestManager(t, func(o *Options) { o.Store = st })
	snap, _, err := m.Start(paperSettings(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "a few committed ticks", func() bool {
		rec, err := st.GetSession(context.Background(), snap.ID)
		return err == nil && !rec.LastTick.IsZero()
	})
	release := r.blockLoop(t)
	final, _, _, _ := m.Stop(context.Background(), StopOptions{Timeout: 50 * time.Millisecond})
	// At its deadline the stop may still be recording the end: it answers
	// as it stands, STOPPING or FAILED, naming the loop either way.
	if final.State == StateStopped || len(final.Summary.Unstopped) == 0 {
		t.Fatalf("stop of a stuck loop: %v %v", final.State, final.Summary.Unstopped)
	}
	<-m.cur.Done()
	rec, err := st.GetSession(context.Background(), snap.ID)
	if err != nil || rec.State != "FAILED" {
		t.Fatalf("stored: %+v %v", rec, err)
	}
	close(release)
	eventually(t, "the loop to finish its tick", func() bool { return m.cur.coord.Stats().TickStarted.IsZero() })
	time.Sleep(50 * time.Millisecond)
	after, err := st.GetSession(context.Background(), snap.ID)
	if err != nil || !after.LastTick.Equal(rec.LastTick) || after.State != "FAILED" {
		t.Fatalf("the late tick reached the store: before %v, after %v (%v)", rec.LastTick, after.LastTick, err)
	}
}

// endlessDisk is a store whose disk fills up once the session runs: the
// end of a session cannot be recorded.
type endlessDisk struct{ store.Store }

func (endlessDisk) UpdateSession(context.Context, string, string, string, time.Time, []byte) error {
	return errors.New("store: disk full: database or disk is full (13)")
}

// A stop whose end the store could not record does not answer STOPPED:
// after a restart the store would show the session INTERRUPTED, from its
// last committed tick, with orders open that the user was told were gone.
// The answer says FAILED and why, so that `tradectl stop` exits non-zero.
func TestStopThatCouldNotBeRecordedIsNotStopped(t *testing.T) {
	st := openTestStore(t)
	m, _ := newTestManager(t, func(o *Options) { o.Store = endlessDisk{st} })
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	final, _, _, err := m.Stop(context.Background(), StopOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if final.State != StateFailed || !strings.Contains(final.Reason, "could not record") {
		t.Fatalf("stop with a store that cannot record its end: %s %q", final.State, final.Reason)
	}
}

// A stop whose loop did not return by its deadline leaves the session
// FAILED with its resting orders unsettled. They were ACCEPTED forever:
// no resume took a FAILED session, no abandon either. Like orders kept
// open by a stop, they rest at the session's venue until it is resumed,
// and its resume can trade or cancel them.
func TestUnsettledOrdersOfAFailedStopCanBeResumed(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	m, r := newTestManager(t, func(o *Options) { o.Store = st })
	snap, _, err := m.Start(paperSettings(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	r.restBuy(t, st, snap.ID)
	release := r.blockLoop(t)
	final, _, _, _ := m.Stop(ctx, StopOptions{Timeout: 50 * time.Millisecond})
	if final.State == StateStopped || len(final.Unsettled) != 1 {
		t.Fatalf("stop of a stuck loop: %s, unsettled %v", final.State, final.Unsettled)
	}
	<-m.cur.Done()
	r.strat.block.Store(nil)
	close(release)
	eventually(t, "the stuck loop to return", func() bool { return m.cur.coord.Stats().TickStarted.IsZero() })
	m.cur.sup.StopChild(childCoordinator, time.Now().Add(10*time.Second))

	resumed, err := m.ResumeSession(ctx, snap.ID)
	if err != nil {
		t.Fatalf("resume of the session whose stop left an order unsettled: %v", err)
	}
	if resumed.Summary.OpenOrders != 1 {
		t.Fatalf("resumed with %d orders open, want the unsettled buy", resumed.Summary.OpenOrders)
	}
	if _, _, _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	if open, _, err := st.ListOrders(ctx, snap.ID, true, 0); err != nil || len(open) != 0 {
		t.Fatalf("orders open after the resumed session stopped: %+v %v", open, err)
	}
}

// After a restart, stop with nothing running answers with the last
// session, as status does and as the API promises ("idempotent: with
// nothing running it returns the last session"): it said no session had
// ever run.
func TestStopAfterARestartReturnsTheLastSession(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	m, _ := newTestManager(t, func(o *Options) { o.Store = st })
	snap, _, err := m.Start(paperSettings(10 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := m.Stop(ctx, StopOptions{}); err != nil {
		t.Fatal(err)
	}
	m, _ = newTestManager(t, func(o *Options) { o.Store = st })
	last, ok, was, err := m.Stop(ctx, StopOptions{})
	if err != nil || !ok || was || last.ID != snap.ID || last.State != StateStopped {
		t.Fatalf("stop after a restart: %s %s ok=%v was=%v err=%v; want %s STOPPED", last.ID, last.State, ok, was, err, snap.ID)
	}
}
