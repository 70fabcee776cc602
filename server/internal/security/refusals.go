package security

import (
	"container/list"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tradectl/tradectl/server/internal/store"
)

// RefusalWindow is how long one peer's refusals of one method for one
// reason are summed into one log line and one audit row.
const RefusalWindow = 10 * time.Second

// maxNewPeers bounds the peers whose refusals get a window of their own
// within one window's time; refusals from the rest are summed under
// otherPeers. A peer is an IPv6 /64, and a site holds 65,536 of them: one
// line and one audit row (a store transaction, beside the trading loop's)
// per new peer would let such a client write as fast as it can connect.
const maxNewPeers = 100

// otherPeers is the peer of refusals summed past maxNewPeers.
const otherPeers = "other peers"

// maxRefusalKeys bounds the windows open at once; past it the oldest is
// closed early (its count written), so memory stays bounded too.
const maxRefusalKeys = 10_000

// refusedCodes are the codes of refusals: no valid token, or over a rate
// or the watcher cap. Made before any handler ran, they are attacker-driven,
// so they are aggregated rather than written one by one. (A handler's own
// RESOURCE_EXHAUSTED, a watcher that fell behind, is not a refusal: see
// HandlerRan.)
var refusedCodes = map[codes.Code]bool{codes.Unauthenticated: true, codes.ResourceExhausted: true}

// ranKey marks, in a call's context, whether its handler was reached.
type ranKey struct{}

// HandlerRan is the innermost layer but recovery: it marks that the call
// got past every guard, so that the refusals layer does not count its
// result as a refusal.
func HandlerRan() (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	mark := func(ctx context.Context) {
		if ran, ok := ctx.Value(ranKey{}).(*atomic.Bool); ok {
			ran.Store(true)
		}
	}
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			mark(ctx)
			return h(ctx, req)
		}, func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			mark(ss.Context())
			return h(srv, ss)
		}
}

// refusedStream carries the ran mark in its context.
type refusedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *refusedStream) Context() context.Context { return s.ctx }

type refusalKey struct {
	peer, method string
	code         codes.Code
}

// tally is one open window: its first refusal was written when it came;
// n more came since.
type tally struct {
	key   refusalKey
	first time.Time
	n     int
	row   store.AuditRow
}

// Refusals aggregates refused calls into the log and the audit table: the
// first refusal of a peer, method and reason is written at once, the rest
// of its window as one row and one line with their count, when the window
// has passed. A window is closed by the next refusal that comes after it
// (of anyone) or by Flush at shutdown: no goroutine of its own. One address
// flooding bad tokens thus writes two rows and two lines per window, not
// one per call.
type Refusals struct {
	st     store.Store // nil: the log only
	log    *slog.Logger
	window time.Duration
	max    int
	msg    string // the log line's message

	mu    sync.Mutex
	now   func() time.Time             // under mu, for tests to move
	since time.Time                    // when the count of new peers began
	peers int                          // windows opened since then
	open  map[refusalKey]*list.Element // of *tally
	order list.List                    // oldest window first
}

// NewRefusals sums refusals into the log and, if st is not nil, the audit
// table.
func NewRefusals(st store.Store, log *slog.Logger) *Refusals {
	return &Refusals{st: st, log: log, now: time.Now, window: RefusalWindow, max: maxRefusalKeys,
		msg: "call refused", open: make(map[refusalKey]*list.Element)}
}

// NewFailures sums, in the log only, the failures of calls that no rate
// limit guards (health checks, which need no token): anyone can make them
// fail as often as they can connect, and each failure is not news.
func NewFailures(log *slog.Logger) *Refusals {
	f := NewRefusals(nil, log)
	f.msg = "call failed"
	return f
}

// SetClock replaces the clock windows are measured by: tests move it
// rather than wait out RefusalWindow.
func (r *Refusals) SetClock(now func() time.Time) {
	r.mu.Lock()
	r.now = now
	r.mu.Unlock()
}

// record counts one refused call, described by row.
func (r *Refusals) record(ctx context.Context, code codes.Code, row store.AuditRow) {
	key := refusalKey{peer: row.Peer, method: row.Method, code: code}
	r.mu.Lock()
	now := r.now()
	due := r.closeLocked(func(t *tally) bool { return now.Sub(t.first) >= r.window })
	if now.Sub(r.since) >= r.window {
		r.since, r.peers = now, 0
	}
	if _, ok := r.open[key]; !ok && r.peers >= maxNewPeers {
		key.peer, row.Peer = otherPeers, otherPeers
	}
	if e, ok := r.open[key]; ok {
		t := e.Value.(*tally)
		t.n++
		t.row.Time = now
		r.mu.Unlock()
		r.write(ctx, due)
		return
	}
	if r.order.Len() >= r.max {
		due = append(due, r.closeLocked(func(*tally) bool { return r.order.Len() >= r.max })...)
	}
	r.peers++
	row.Time, row.Refused, row.Count = now, true, 1
	r.open[key] = r.order.PushBack(&tally{key: key, first: now, row: row})
	r.mu.Unlock()
	r.write(ctx, append(due, row))
}

// Flush writes every open window's count: at shutdown, before the store
// closes.
func (r *Refusals) Flush() {
	r.mu.Lock()
	due := r.closeLocked(func(*tally) bool { return true })
	r.mu.Unlock()
	r.write(context.Background(), due)
}

// closeLocked closes the oldest windows while done says so, and returns
// the rows of those that counted more refusals after their first.
func (r *Refusals) closeLocked(done func(*tally) bool) []store.AuditRow {
	var rows []store.AuditRow
	for e := r.order.Front(); e != nil && done(e.Value.(*tally)); e = r.order.Front() {
		t := e.Value.(*tally)
		r.order.Remove(e)
		delete(r.open, t.key)
		if t.n > 0 {
			row := t.row
			row.Count = t.n
			rows = append(rows, row)
		}
	}
	return rows
}

// write logs and stores rows, outside mu: a slow store must not hold up
// every refusal. Rows decided at once by two calls may be written a few
// milliseconds out of order; each row's time is its own. A failure to
// store is logged: the record is evidence, not a gate.
func (r *Refusals) write(ctx context.Context, rows []store.AuditRow) {
	for _, row := range rows {
		r.log.WarnContext(ctx, r.msg, "method", row.Method, "peer", row.Peer, "identity", row.Identity,
			"code", row.Code, "error", row.Error, "count", row.Count)
		if r.st == nil {
			continue
		}
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := r.st.Audit(actx, row); err != nil {
			r.log.ErrorContext(ctx, "could not write the audit record", "method", row.Method, "err", err)
		}
		cancel()
	}
}

// refusedRow describes a refused call for the audit table: who (the peer
// key, since refusals are summed per peer), the identity, the reason, and
// at most maxRefusedArgs of the arguments.
func refusedRow(ctx context.Context, method string, req any, err error) store.AuditRow {
	// Over the rate or the watcher cap, the token may not have been
	// looked at: the identity is only what the handshake proved.
	identity := callerIdentity(ctx, true)
	if status.Code(err) != codes.Unauthenticated {
		identity = "not checked"
		if name := peerCertName(ctx); name != "" {
			identity = "cert:" + name
		}
	}
	row := store.AuditRow{Peer: PeerKey(ctx), Method: auditValue(method, MaxAuditArgs), Identity: auditValue(identity, MaxAuditArgs),
		Code: status.Code(err).String(), Error: auditValue(status.Convert(err).Message(), MaxAuditArgs)}
	if req != nil {
		row.Args = auditArgs(req, maxRefusedArgs)
	}
	return row
}

// Unary records the refused unary calls.
func (r *Refusals) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ran := new(atomic.Bool)
		resp, err := h(context.WithValue(ctx, ranKey{}, ran), req)
		if refusedCodes[status.Code(err)] && !ran.Load() {
			r.record(ctx, status.Code(err), refusedRow(ctx, info.FullMethod, req, err))
		}
		return resp, err
	}
}

// Stream records the refused streams: a watch with a bad token, over the
// rate or past the watcher cap.
func (r *Refusals) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		ran := new(atomic.Bool)
		err := h(srv, &refusedStream{ServerStream: ss, ctx: context.WithValue(ss.Context(), ranKey{}, ran)})
		if refusedCodes[status.Code(err)] && !ran.Load() {
			r.record(ss.Context(), status.Code(err), refusedRow(ss.Context(), info.FullMethod, nil, err))
		}
		return err
	}
}

// IsRefusal reports whether a call log line is of a refused call, which the
// refusals layer logs instead: a refusal's code, from a call whose handler
// never ran.
func IsRefusal(ctx context.Context, fields []any) bool {
	if ran, ok := ctx.Value(ranKey{}).(*atomic.Bool); !ok || ran.Load() {
		return false
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if k, ok := fields[i].(string); ok && k == "grpc.code" {
			c, _ := fields[i+1].(string)
			return c == codes.Unauthenticated.String() || c == codes.ResourceExhausted.String()
		}
	}
	return false
}

// LogFailures logs a polling call only when it fails, summed per peer,
// method and code (failed): health checks are never rate-limited, so one
// line per failure would let anyone fill the log with "unknown service".
func LogFailures(failed *Refusals) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		if err != nil && !IsRefusal(ctx, []any{"grpc.code", status.Code(err).String()}) {
			failed.record(ctx, status.Code(err), store.AuditRow{Peer: PeerKey(ctx), Method: info.FullMethod,
				Code: status.Code(err).String(), Error: auditValue(status.Convert(err).Message(), MaxAuditArgs)})
		}
		return resp, err
	}
}
