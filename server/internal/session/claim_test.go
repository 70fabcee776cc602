package session

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/internal/store"
)

// slowStore holds every CreateSession until released: a disk in trouble.
type slowStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
	creates atomic.Int32
}

func (s *slowStore) CreateSession(ctx context.Context, r store.SessionRecord) error {
	s.creates.Add(1)
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Store.CreateSession(ctx, r)
}

// While a start waits on the store, Status answers at once (it never waits
// on a disk), and a storm of concurrent starts still yields one session.
func TestStartDoesNoStoreIOUnderTheManagersLock(t *testing.T) {
	slow := &slowStore{Store: openTestStore(t), entered: make(chan struct{}, 64), release: make(chan struct{})}
	m, _ := newTestManager(t, func(o *Options) { o.Store = slow })
	const n = 16
	type result struct {
		id      string
		already bool
		err     error
	}
	results := make(chan result, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snap, already, err := m.Start(paperSettings(10 * time.Millisecond))
			results <- result{snap.ID, already, err}
		}()
	}
	<-slow.entered
	answered := make(chan struct{})
	go func() {
		m.Status()
		close(answered)
	}()
	select {
	case <-answered:
	case <-time.After(5 * time.Second): // far beyond a mutex, below the store timeout
		close(slow.release)
		wg.Wait()
		t.Fatal("Status waited for a start's store write")
	}
	close(slow.release)
	wg.Wait()
	close(results)
	var ids []string
	fresh := 0
	for r := range results {
		if r.err != nil {
			t.Fatal(r.err)
		}
		if !r.already {
			fresh++
		}
		ids = append(ids, r.id)
	}
	if fresh != 1 || slow.creates.Load() != 1 {
		t.Fatalf("%d starts began a session, %d were recorded; want one", fresh, slow.creates.Load())
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("starts answered with sessions %v; want one", ids)
		}
	}
}

// A start whose caller gives up while the store is slow answers with the
// caller's cancellation, not a failed store, starts nothing, and frees
// the slot for the next start.
func TestStartGivenUpWhileTheStoreIsSlow(t *testing.T) {
	slow := &slowStore{Store: openTestStore(t), entered: make(chan struct{}, 64), release: make(chan struct{})}
	m, _ := newTestManager(t, func(o *Options) { o.Store = slow })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-slow.entered
		cancel()
	}()
	_, _, err := m.StartWith(ctx, paperSettings(10*time.Millisecond), StartOptions{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrStore) {
		t.Fatalf("start given up = %v; want the caller's cancellation, not ErrStore", err)
	}
	if m.last() != nil {
		t.Fatal("a start given up left a session")
	}
	close(slow.release)
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatalf("the next start: %v", err)
	}
}
