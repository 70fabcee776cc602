package transport

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/server/internal/security"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/tap"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// awaited bounds the calls whose request has not arrived yet: a client that
// sends HEADERS and never the message held a goroutine and its buffers for
// as long as the connection lived (60 connections x 1,024 such streams took
// 774 MiB, issue 10). Interceptors cannot help: a unary call reaches them
// only once its message has arrived. So the transport's tap counts the new
// stream and gives it a context that is cancelled if its first message has
// not arrived within wait; the outermost interceptors see that message
// arrive and release the stream.
//
// At most max streams without the token wait at once, and perPeer from
// one peer (as ConnCap counts peers); more are refused with
// RESOURCE_EXHAUSTED before a handler goroutine starts. Streams that
// carry the token are not counted, so that a flood of anonymous ones
// cannot lock the operator out; they get the same deadline.
type awaited struct {
	max, perPeer int
	wait         time.Duration
	tok          security.TokenMatcher

	mu    sync.Mutex
	n     int
	peers map[netip.Prefix]int
}

func newAwaited(max, perPeer int, wait time.Duration, tok security.TokenMatcher) *awaited {
	return &awaited{max: max, perPeer: perPeer, wait: wait, tok: tok, peers: map[netip.Prefix]int{}}
}

func (w *awaited) take(p netip.Prefix) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n >= w.max || w.peers[p] >= w.perPeer {
		return false
	}
	w.n++
	w.peers[p]++
	return true
}

func (w *awaited) give(p netip.Prefix) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n--
	if w.peers[p]--; w.peers[p] <= 0 {
		delete(w.peers, p)
	}
}

type awaitKey struct{}

// await is one stream's wait for its request.
type await struct {
	timer *time.Timer
	done  atomic.Bool
	// release gives the slot back; nil for a stream with the token.
	give func()
}

// release ends the wait, once: the message arrived, the stream ended, or
// the deadline passed. The timer's own callback calls it too, so it never
// reads a.timer; the other callers stop the timer.
func (a *await) release() {
	if a.done.CompareAndSwap(false, true) && a.give != nil {
		a.give()
	}
}

var errNoRequest = errors.New("no request message arrived in time")

// tap runs in the transport for every new stream, before its handler.
func (w *awaited) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	a := &await{}
	if !w.hasToken(info) {
		var p netip.Prefix
		if pr, ok := peer.FromContext(ctx); ok {
			p = peerOf(pr.Addr)
		}
		if !w.take(p) {
			return nil, tradingv1.ErrorReason_ERROR_REASON_TOO_MANY_PENDING_CALLS.Status(
				fmt.Sprintf("too many calls waiting for their request: tradingd holds at most %d at once, %d from one peer; retry later", w.max, w.perPeer), nil).Err()
		}
		a.give = func() { w.give(p) }
	}
	ctx, cancel := context.WithCancelCause(ctx)
	a.timer = time.AfterFunc(w.wait, func() {
		cancel(errNoRequest)
		a.release()
	})
	// The stream's context ends with the stream, however it ends, so the
	// slot cannot leak.
	context.AfterFunc(ctx, func() { a.release(); a.timer.Stop() })
	return context.WithValue(ctx, awaitKey{}, a), nil
}

func (w *awaited) hasToken(info *tap.Info) bool {
	for _, v := range info.Header.Get("authorization") {
		if scheme, tok, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "bearer") && w.tok.Matches(tok) {
			return true
		}
	}
	return false
}

// arrived ends the wait of the stream ctx belongs to.
func arrived(ctx context.Context) {
	if a, ok := ctx.Value(awaitKey{}).(*await); ok {
		a.release()
		a.timer.Stop()
	}
}

// awaitUnary ends the wait: a unary call reaches interceptors only once
// its request has been read.
func awaitUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	arrived(ctx)
	return h(ctx, req)
}

// awaitStream ends the wait when the stream's first message has been
// read. (A stats handler would see it too, but costs 30 allocations a
// call on every call.)
func awaitStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	return h(srv, &firstMessage{ServerStream: ss})
}

type firstMessage struct {
	grpc.ServerStream
	seen bool
}

func (s *firstMessage) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil && !s.seen {
		s.seen = true
		arrived(s.Context())
	}
	return err
}
