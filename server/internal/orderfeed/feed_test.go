package orderfeed

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/orders"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memStore stands in for the store: it keeps every event, numbered, before
// the feed publishes it, as the tick commit does.
type memStore struct {
	mu     sync.Mutex
	events []orders.Event
}

func (s *memStore) commit(id string) orders.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := orders.Event{Seq: uint64(len(s.events) + 1), Order: orders.Order{ClientID: id}}
	s.events = append(s.events, e)
	return e
}

func (s *memStore) OrderEventsAfter(_ context.Context, after uint64, limit int) ([]orders.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if after >= uint64(len(s.events)) {
		return nil, nil
	}
	list := s.events[after:]
	if len(list) > limit {
		list = list[:limit]
	}
	return append([]orders.Event(nil), list...), nil
}

func subscribe(t *testing.T, f *Feed, after uint64, fromNow bool) *Watcher {
	t.Helper()
	w, err := f.Subscribe(after, fromNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

// readN reads n events and fails unless they are want, want+1, ...
func readN(t *testing.T, w *Watcher, want uint64, n int) {
	t.Helper()
	if err := read(w, want, n); err != nil {
		t.Fatal(err)
	}
}

func read(w *Watcher, want uint64, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range n {
		e, err := w.Next(ctx)
		if err != nil {
			return fmt.Errorf("event %d of %d: %w", i+1, n, err)
		}
		if e.Event.Seq != want {
			return fmt.Errorf("got event %d, want %d", e.Event.Seq, want)
		}
		want++
	}
	return nil
}

// A ring of 8 and watchers that read while 5,000 events go by: each
// watcher falls off the ring again and again, and still gets every event
// exactly once, in order, the missed ones from the store.
func TestLaggingWatchersCatchUpFromTheStore(t *testing.T) {
	st := &memStore{}
	f := New(Options{RingSize: 8, Source: st})
	defer f.Close()
	const n = 5000
	var wg sync.WaitGroup
	for range 4 {
		w := subscribe(t, f, 0, true)
		wg.Go(func() {
			if err := read(w, 1, n); err != nil {
				t.Error(err)
			}
		})
	}
	for i := range n {
		f.Publish(st.commit("o"))
		if i%500 == 0 {
			time.Sleep(time.Millisecond) // let the readers in now and then
		}
	}
	wg.Wait()
}

// A watcher that reconnects with the last sequence it saw gets the rest,
// from the store, then the live events.
func TestResumeAfterSequence(t *testing.T) {
	st := &memStore{}
	f := New(Options{RingSize: 16, Source: st})
	defer f.Close()
	for range 100 {
		f.Publish(st.commit("o"))
	}
	w := subscribe(t, f, 37, false)
	readN(t, w, 38, 63)
	f.Publish(st.commit("o"))
	readN(t, w, 101, 1)
}

// A feed over a store that already holds events (a restarted daemon)
// continues their numbering, and resumes a watcher from the store.
func TestRestartContinuesTheNumbering(t *testing.T) {
	st := &memStore{}
	for range 10 {
		st.commit("before")
	}
	f := New(Options{Source: st, Last: 10})
	defer f.Close()
	live := subscribe(t, f, 0, true)
	back := subscribe(t, f, 4, false)
	f.Publish(st.commit("after"))
	readN(t, live, 11, 1)
	readN(t, back, 5, 7)
}

// Without a store, a watcher the ring left behind is told so, not handed
// a gap.
func TestLaggardWithoutStoreIsTold(t *testing.T) {
	f := New(Options{RingSize: 4})
	defer f.Close()
	w := subscribe(t, f, 0, true)
	for range 5 {
		f.Publish(orders.Event{})
	}
	if _, err := w.Next(context.Background()); !errors.Is(err, ErrLagged) {
		t.Fatalf("Next after the ring moved on: %v, want ErrLagged", err)
	}
	// A watcher that kept up reads on.
	f.Publish(orders.Event{})
	fresh := subscribe(t, f, 5, false)
	readN(t, fresh, 6, 1)
}

func TestSubscribeAheadIsRefused(t *testing.T) {
	f := New(Options{Last: 7})
	defer f.Close()
	if _, err := f.Subscribe(8, false); !errors.Is(err, ErrAhead) {
		t.Fatalf("Subscribe after 8 with 7 the newest: %v, want ErrAhead", err)
	}
}

func TestCloseEndsWaitingWatchers(t *testing.T) {
	f := New(Options{})
	w := subscribe(t, f, 0, true)
	other := subscribe(t, f, 0, true)
	if got := f.Watchers(); got != 2 {
		t.Fatalf("Watchers = %d, want 2", got)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := w.Next(context.Background())
		errc <- err
	}()
	other.Close()
	if got := f.Watchers(); got != 1 {
		t.Fatalf("Watchers after one Close = %d, want 1", got)
	}
	f.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Next across Close: %v, want ErrClosed", err)
	}
	if _, err := f.Subscribe(0, true); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: %v, want ErrClosed", err)
	}
	f.Close() // twice is fine
}

func TestNextHonoursItsContext(t *testing.T) {
	f := New(Options{})
	defer f.Close()
	w := subscribe(t, f, 0, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next with a cancelled context: %v", err)
	}
}

// Shared makes its value once, for every watcher of an entry.
func TestSharedIsMadeOnce(t *testing.T) {
	f := New(Options{})
	defer f.Close()
	ws := []*Watcher{subscribe(t, f, 0, true), subscribe(t, f, 0, true)}
	f.Publish(orders.Event{})
	made := 0
	var got []any
	for _, w := range ws {
		e, err := w.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Shared(func(*orders.Event) any { made++; return new(int) }))
	}
	if made != 1 || got[0] != got[1] {
		t.Fatalf("made %d times, values %p %p: want once, shared", made, got[0], got[1])
	}
}

// A watcher catching up stops reading the store once the feed closes: a
// daemon shutting down does not wait for it, nor read a closing store.
func TestCatchUpStopsWhenTheFeedCloses(t *testing.T) {
	st := &memStore{}
	f := New(Options{RingSize: 4, Source: st})
	for range 1000 {
		f.Publish(st.commit("o"))
	}
	w := subscribe(t, f, 0, false)
	readN(t, w, 1, catchUpPage) // one page read from the store
	f.Close()
	for i := 0; ; i++ {
		_, err := w.Next(context.Background())
		if errors.Is(err, ErrClosed) {
			break
		}
		if err != nil || i > catchUpPage {
			t.Fatalf("after Close, %d more events, then %v; want at most the page in hand, then ErrClosed", i, err)
		}
	}
}

// TestEventWhileTheDispatcherStarts: the first Subscribe starts the
// dispatcher goroutine; an event published before that goroutine first
// runs must still wake a watcher already waiting, not wait for the next
// event (found by BenchmarkPublish with 100 watchers, which hung on it). With
// one processor and no yield, the dispatcher cannot run before Publish;
// the watcher's wait is the channel Next takes before it looks at the tail.
func TestEventWhileTheDispatcherStarts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	st := &memStore{}
	f := New(Options{Source: st})
	defer f.Close()
	w := subscribe(t, f, 0, true)
	wake := *f.notify.Load() // what a Next waiting for event 1 holds
	f.Publish(st.commit("c1"))
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("an event published while the dispatcher was starting never woke the waiting watchers")
	}
	readN(t, w, 1, 1)
}
