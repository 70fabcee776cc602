package web

import (
	"context"
	"net/http"
	"sync"
)

// Handler is the dashboard's http.Handler, with what the daemon needs at
// shutdown.
type Handler struct {
	http.Handler
	rpcs *inflight
}

// Drain refuses new RPCs and waits until the ones being served have
// returned, or ctx ends. The daemon calls it after its session and health
// hub have stopped (which ends WatchHealth and WatchOrders with
// SHUTTING_DOWN) and before the gRPC server's GracefulStop: GracefulStop
// closes ServeHTTP's transports at once, dropping any status a handler has
// not written yet, and the browser would read a protocol error ("missing
// trailer") instead of the reason.
func (h *Handler) Drain(ctx context.Context) error { return h.rpcs.drain(ctx) }

// inflight counts the RPCs being served, and holds the streams among them
// to at most max at once: a stream served through ServeHTTP and the
// transcoder costs about 80 KiB and three goroutines (1,024 held over 32
// TLS connections took 93 MiB), five times a gRPC stream, so the dashboard's port gets a cap of its
// own below the daemon's watcher caps (20,000 and 10,000, which would allow
// 2 GiB here). Unary calls are not capped: they end at once, and a tab
// full of streams must not keep the operator from calling.
type inflight struct {
	max     int
	mu      sync.Mutex
	n       int // calls, streams included
	streams int
	closing bool
	idle    chan struct{} // closed once closing and n == 0
}

func newInflight(max int) *inflight { return &inflight{max: max, idle: make(chan struct{})} }

// enter counts a call in, or says why not: the daemon is draining, or it
// is a stream and max are open.
func (f *inflight) enter(stream bool) (ok, full bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing {
		return false, false
	}
	if stream && f.streams >= f.max {
		return false, true
	}
	f.n++
	if stream {
		f.streams++
	}
	return true, false
}

func (f *inflight) leave(stream bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if stream {
		f.streams--
	}
	if f.closing && f.n == 0 {
		close(f.idle)
	}
}

func (f *inflight) drain(ctx context.Context) error {
	f.mu.Lock()
	if !f.closing {
		f.closing = true
		if f.n == 0 {
			close(f.idle)
		}
	}
	f.mu.Unlock()
	select {
	case <-f.idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shuttingDown answers an RPC that arrives while the daemon drains, in the
// Connect protocol's error form, so that a page's client reads UNAVAILABLE
// and retries (against the daemon that replaces this one) rather than a
// protocol error.
func shuttingDown(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(`{"code":"unavailable","message":"the daemon is shutting down"}` + "\n"))
}
