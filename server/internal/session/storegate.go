package session

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/latch"
	"github.com/tradectl/tradectl/server/internal/store"
)

// ErrStoreClosing: the manager has shut down and its goroutines may no
// longer write to the store, which the daemon is about to close.
var ErrStoreClosing = errors.New("the store is closing: the daemon is shutting down")

// storeGate tracks the writes the session package's own goroutines make to
// the store (the trading loop's ticks, a stop's end record), as etcd's
// GoAttach tracks its goroutines: once closed it admits no new write, and
// close returns only when those in flight have returned, so that the daemon
// closes the store after its last user, never under one. A loop stuck past
// the stop deadline that finishes its tick after the shutdown writes
// nothing. RPC handlers, the other users, are waited for by the gRPC
// server (grpc.WaitForHandlers) before the store is closed.
type storeGate struct {
	mu sync.Mutex
	// closed stays a flag under mu, not a latch: it is checked with n
	// counted in one critical section (enter), and set with n read in one
	// (close), so that no write is admitted once close saw none in flight.
	closed bool
	n      int // writes in flight
	// idle fires once closed and n is 0, from close or from the last
	// leave, whichever comes last.
	idle   *latch.Latch
	abort  context.Context
	cancel context.CancelFunc // ends the writes in flight when close gives up waiting
}

func newStoreGate() *storeGate {
	g := &storeGate{idle: latch.New()}
	g.abort, g.cancel = context.WithCancel(context.Background())
	return g
}

// enter admits one write, unless the gate is closed. The write runs on the
// returned context, which close cancels if it must stop waiting; leave
// must be called when it has returned.
func (g *storeGate) enter(ctx context.Context) (_ context.Context, leave func(), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, nil, ErrStoreClosing
	}
	g.n++
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(g.abort, cancel)
	return ctx, func() {
		stop()
		cancel()
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.n--; g.closed && g.n == 0 {
			g.idle.Fire()
		}
	}, nil
}

// close admits no more writes and waits for those in flight until ctx is
// done; then it cancels them and gives them grace to return. It reports
// whether all had returned.
func (g *storeGate) close(ctx context.Context, grace time.Duration) bool {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		if g.n == 0 {
			g.idle.Fire()
		}
	}
	g.mu.Unlock()
	select {
	case <-g.idle.Done():
		return true
	case <-ctx.Done():
	}
	g.cancel()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-g.idle.Done():
		return true
	case <-t.C:
		return false
	}
}

// gatedStore passes the writes of the session package's goroutines through
// a storeGate; everything else goes straight to the store.
type gatedStore struct {
	store.Store
	gate *storeGate
}

func (s gatedStore) CommitTick(ctx context.Context, b *store.Batch) error {
	ctx, leave, err := s.gate.enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	return s.Store.CommitTick(ctx, b)
}

func (s gatedStore) UpdateSession(ctx context.Context, id, state, reason string, ended time.Time, summaryJSON []byte) error {
	ctx, leave, err := s.gate.enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	return s.Store.UpdateSession(ctx, id, state, reason, ended, summaryJSON)
}

func (s gatedStore) AppendEquity(ctx context.Context, id string, p store.EquityRow) error {
	ctx, leave, err := s.gate.enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	return s.Store.AppendEquity(ctx, id, p)
}
