package orders

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustSubscribe(t testing.TB, f *Feed, buffer int) *Subscription {
	t.Helper()
	s, err := f.Subscribe(buffer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ended(s *Subscription) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

// A subscriber that never reads is ended once its buffer is full; one that
// keeps up gets every event, in order, with consecutive sequence numbers.
func TestLaggardIsEndedOthersGetEverything(t *testing.T) {
	f := NewFeed()
	defer f.Close()
	slow := mustSubscribe(t, f, 4)
	fast := mustSubscribe(t, f, 16)
	const n = 10_000
	got := make(chan []uint64)
	go func() {
		var seqs []uint64
		for e := range fast.C() {
			seqs = append(seqs, e.Seq)
		}
		got <- seqs
	}()
	for i := range n {
		f.Publish(Event{Order: Order{ClientID: "o"}})
		if i%8 == 7 { // let the fast reader keep up: its buffer is 16
			for len(fast.C()) > 8 {
				time.Sleep(10 * time.Microsecond)
			}
		}
	}
	fast.Close()
	seqs := <-got
	if len(seqs) != n {
		t.Fatalf("fast subscriber got %d events, want %d", len(seqs), n)
	}
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("event %d has sequence %d", i, s)
		}
	}
	if !errors.Is(fast.Err(), ErrClosed) {
		t.Fatalf("fast.Err() = %v", fast.Err())
	}

	if !ended(slow) {
		t.Fatal("laggard not ended")
	}
	err := slow.Err()
	if !errors.Is(err, ErrLagged) || !strings.Contains(err.Error(), "more than 4 events") {
		t.Fatalf("laggard's error = %v", err)
	}
	// What it had buffered before it fell behind is still delivered, then C closes.
	var buffered []uint64
	for e := range slow.C() {
		buffered = append(buffered, e.Seq)
	}
	if len(buffered) != 4 || buffered[0] != 1 || buffered[3] != 4 {
		t.Fatalf("laggard's buffer = %v, want 1..4", buffered)
	}
	if f.Len() != 0 {
		t.Fatalf("Len = %d after both ended", f.Len())
	}
}

// Publish returns at once whatever subscribers do.
func TestPublishNeverBlocks(t *testing.T) {
	f := NewFeed()
	defer f.Close()
	stuck := mustSubscribe(t, f, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100_000 {
			f.Publish(Event{})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("100k publishes with a subscriber that never reads did not finish in 10s")
	}
	if !errors.Is(stuck.Err(), ErrLagged) {
		t.Fatalf("stuck.Err() = %v", stuck.Err())
	}
}

func TestSubscriptionClose(t *testing.T) {
	f := NewFeed()
	defer f.Close()
	s := mustSubscribe(t, f, 2)
	other := mustSubscribe(t, f, 2)
	if s.Err() != nil || ended(s) {
		t.Fatal("a new subscription has ended")
	}
	s.Close()
	s.Close() // idempotent
	if !ended(s) || !errors.Is(s.Err(), ErrClosed) || f.Len() != 1 {
		t.Fatalf("after Close: ended %t, Err %v, Len %d", ended(s), s.Err(), f.Len())
	}
	if _, open := <-s.C(); open {
		t.Fatal("C still open")
	}
	f.Publish(Event{})
	if e := <-other.C(); e.Seq != 1 {
		t.Fatalf("other got sequence %d", e.Seq)
	}
}

func TestFeedClose(t *testing.T) {
	f := NewFeed()
	a, b := mustSubscribe(t, f, 1), mustSubscribe(t, f, 1)
	f.Publish(Event{})
	f.Close()
	f.Close() // idempotent
	for _, s := range []*Subscription{a, b} {
		if !ended(s) || !errors.Is(s.Err(), ErrClosed) || errors.Is(s.Err(), ErrLagged) {
			t.Fatalf("after Feed.Close: ended %t, Err %v", ended(s), s.Err())
		}
		if e := <-s.C(); e.Seq != 1 {
			t.Fatalf("buffered event lost: %+v", e)
		}
	}
	a.Close() // after the feed closed: harmless
	if _, err := f.Subscribe(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
	f.Publish(Event{}) // nothing to do, and no panic
	if f.Len() != 0 {
		t.Fatalf("Len = %d", f.Len())
	}
}

func TestSubscribeRefusesNoBuffer(t *testing.T) {
	f := NewFeed()
	defer f.Close()
	if _, err := f.Subscribe(0); err == nil {
		t.Fatal("Subscribe(0) accepted")
	}
}

// Publishers, subscribers coming and going, and a Close, all at once:
// for -race, and every reader sees increasing sequences.
func TestFeedConcurrent(t *testing.T) {
	f := NewFeed()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				f.Publish(Event{})
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 50 {
				s, err := f.Subscribe(8)
				if err != nil {
					return // closed
				}
				var last uint64
				for range 20 {
					e, ok := <-s.C()
					if !ok {
						break
					}
					if e.Seq <= last {
						t.Errorf("sequence %d after %d", e.Seq, last)
					}
					last = e.Seq
				}
				s.Close()
			}
		})
	}
	time.Sleep(10 * time.Millisecond)
	f.Close()
	wg.Wait()
}
