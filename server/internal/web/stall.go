package web

import (
	"net/http"
	"time"
)

// DefaultWriteStall is how long one write of an answer may stay blocked
// (see stallGuard).
const DefaultWriteStall = 30 * time.Second

// writeChunk is the most a guarded write hands the connection at once, so
// that the deadline bounds a lack of progress, not the time a large answer
// takes: a link moving 64 KiB in DefaultWriteStall (2 KiB/s) is not cut.
const writeChunk = 64 << 10

// stallGuard gives each write and flush of an answer a deadline, and clears
// it when the write returns. gRPC's own transport finds a peer that stops
// reading by its keepalive and bounds a connection's age; grpc-go's
// ServeHTTP has neither, so a client that opened WatchHealth or WatchOrders
// and never read held the handler's goroutine, its buffers and a watcher
// slot for as long as its connection stayed open: forever. With the guard
// a write that cannot make progress for the stall time fails, which ends
// the request's context (HTTP/1.1 closes the connection, HTTP/2 resets the
// stream) and so the handler. A stream that is only quiet holds no
// deadline between writes, so a WatchHealth that sends nothing for hours
// is not cut.
type stallGuard struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func newStallGuard(w http.ResponseWriter, stall time.Duration) *stallGuard {
	return &stallGuard{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall}
}

func (g *stallGuard) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		c := p[:min(len(p), writeChunk)]
		m, err := g.guarded(func() (int, error) { return g.ResponseWriter.Write(c) })
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(c):]
	}
	return n, nil
}

// FlushError is what http.ResponseController calls; Flush what vanguard
// and grpc-go call. The error a flush swallows shows on the next write.
func (g *stallGuard) FlushError() error {
	_, err := g.guarded(func() (int, error) { return 0, g.rc.Flush() })
	return err
}

func (g *stallGuard) Flush() { _ = g.FlushError() }

// Unwrap lets http.ResponseController reach the connection's writer.
func (g *stallGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *stallGuard) guarded(write func() (int, error)) (int, error) {
	if g.rc.SetWriteDeadline(time.Now().Add(g.stall)) != nil {
		return write() // a writer without deadlines (not net/http's): unguarded
	}
	n, err := write()
	// Cleared, or HTTP/2 would reset a quiet stream when the timer fires,
	// and HTTP/1.1 fail the next write at once.
	_ = g.rc.SetWriteDeadline(time.Time{})
	return n, err
}
