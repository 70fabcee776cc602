package binance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Sender puts orders and cancels on the wire, off the trading loop, and
// turns every outcome into what the loop's side needs: an OrderUpdate, or a
// halt of order entry. Its one rule: a client order id goes on the wire at
// most once. When the outcome of a send is unknown (a timeout, a reset, a
// 5xx), it asks the venue for the order by its client id, with backoff,
// until the venue has it or, asked after the request could no longer
// execute (its recvWindow passed on the venue's clock), does not:
// StatusNeverSent. Nothing is ever sent again under the same id; a retry
// is a new order with a new id, which only the strategy decides.
type Sender struct {
	api  API
	sink Sink
	cfg  SenderConfig

	wake chan struct{}
	mu   sync.Mutex
	jobs []job
	// queued counts places and cancels in jobs, bounded by cfg.Queue;
	// resolutions are never refused.
	queued    int
	seen      *idSet // the client ids handed to Place or Resolve (the last maxSeen)
	resolving map[string]bool
	// cancelling: a cancel of this id is being retried; another one
	// adds nothing but requests.
	cancelling map[string]bool
	// cancelLater: a cancel found no such order while the order may
	// still arrive; the question about it cancels it if it turns up open.
	cancelLater map[string]bool
	halts       map[string]time.Time // cause → when to lift it (try, for "clock")
}

// SenderClock is what the sender needs of the clock (*Clock).
type SenderClock interface {
	Offset() time.Duration
	RTT() time.Duration
	Sync(ctx context.Context) error
	Health(now time.Time) Health
}

// SenderConfig tunes a Sender.
type SenderConfig struct {
	// RecvWindow must be what the requests are signed with (the REST's
	// Config.RecvWindow after WithDefaults), and Clock the clock the REST
	// signs with. Both are required: a guessed window could call an order
	// that may still execute never sent.
	RecvWindow time.Duration
	Clock      SenderClock
	// Margin is added to recvWindow + |offset| before a missing order is
	// declared never sent: the slack for the offset's own error (default 1s).
	Margin time.Duration
	// Queue bounds the places and cancels waiting to be sent (default 256).
	Queue int
	// Backoff and MaxBackoff pace the questions about an unknown outcome
	// and the retries of a cancel (defaults 100ms and 5s).
	Backoff, MaxBackoff time.Duration
	Logger              *slog.Logger
}

type jobKind uint8

const (
	jobPlace jobKind = iota + 1
	jobCancel
	jobResolve
)

type job struct {
	kind             jobKind
	req              OrderRequest
	symbol, clientID string
}

// fullPlacer is *REST's place that also returns the fills made on arrival.
type fullPlacer interface {
	PlaceFull(ctx context.Context, o OrderRequest) (OrderUpdate, []Trade, error)
}

// NewSender returns a sender; Run works it. It panics without a
// RecvWindow or a Clock, a wiring mistake.
func NewSender(api API, sink Sink, cfg SenderConfig) *Sender {
	if cfg.RecvWindow <= 0 || cfg.Clock == nil {
		panic("binance: NewSender needs the recvWindow and the clock the requests are signed with")
	}
	if cfg.Margin <= 0 {
		cfg.Margin = time.Second
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 256
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = max(cfg.Backoff, 5*time.Second)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{api: api, sink: sink, cfg: cfg, wake: make(chan struct{}, 1),
		seen: newIDSet(maxSeen), resolving: map[string]bool{}, cancelling: map[string]bool{},
		cancelLater: map[string]bool{}, halts: map[string]time.Time{}}
}

// Place queues o for sending and returns at once; false when the queue is
// full (nothing will be sent: the caller rejects the order). A client id
// seen before (among the last maxSeen) is never sent again: it is dropped
// (logged) and true returned, since the first one's outcome is on its way.
func (s *Sender) Place(o OrderRequest) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen.has(o.ClientID) {
		s.cfg.Logger.Error("binance: an order with this client id was handed over before; not sending it again", "client_id", o.ClientID)
		return true
	}
	if s.queued >= s.cfg.Queue {
		return false
	}
	s.seen.add(o.ClientID)
	return s.pushLocked(job{kind: jobPlace, req: o, symbol: o.Spec.Symbol, clientID: o.ClientID})
}

// Cancel queues a cancel of an order by its client id; false when the
// queue is full. The outcome arrives as an update (or on the user stream).
func (s *Sender) Cancel(symbol, clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancelling[clientID] {
		return true // being retried: its outcome is on its way
	}
	if s.queued >= s.cfg.Queue {
		return false
	}
	return s.pushLocked(job{kind: jobCancel, symbol: symbol, clientID: clientID})
}

// Resolve asks the venue about an order whose outcome is unknown (one
// found in the store at resume, sent before a crash), as for a send that
// timed out at this moment. The id will never be sent by this sender.
func (s *Sender) Resolve(symbol, clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen.add(clientID)
	s.pushLocked(job{kind: jobResolve, symbol: symbol, clientID: clientID})
}

func (s *Sender) pushLocked(j job) bool {
	if j.kind != jobResolve {
		s.queued++
	}
	s.jobs = append(s.jobs, j)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

func (s *Sender) pop() (job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.jobs) == 0 {
		return job{}, false
	}
	j := s.jobs[0]
	s.jobs[0] = job{}
	s.jobs = s.jobs[1:]
	if j.kind != jobResolve {
		s.queued--
	}
	return j, true
}

// Run sends what is queued, one request at a time in queue order (so a
// cancel never overtakes its order's place), until ctx ends; questions
// about unknown outcomes and cancel retries run on their own goroutines,
// which Run waits for before it returns.
func (s *Sender) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	lift := time.NewTimer(0) // look at the clock at once
	defer lift.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
			for j, ok := s.pop(); ok && ctx.Err() == nil; j, ok = s.pop() {
				s.do(ctx, &wg, j)
			}
		case <-lift.C:
		}
		lift.Reset(s.liftHalts(ctx))
	}
}

func (s *Sender) do(ctx context.Context, wg *sync.WaitGroup, j job) {
	switch j.kind {
	case jobResolve:
		s.startResolve(ctx, wg, j.symbol, j.clientID, time.Now())
	case jobCancel:
		s.cancel(ctx, wg, j.symbol, j.clientID)
	case jobPlace:
		s.place(ctx, wg, j.req)
	}
}

func (s *Sender) place(ctx context.Context, wg *sync.WaitGroup, o OrderRequest) {
	sentAt := time.Now() // before signing: the deadline below can only be late
	var u OrderUpdate
	var trades []Trade
	var err error
	if fp, ok := s.api.(fullPlacer); ok {
		u, trades, err = fp.PlaceFull(ctx, o)
	} else {
		u, err = s.api.Place(ctx, o)
	}
	switch c := Classify(err); c {
	case ClassNone:
		if len(trades) == 0 {
			s.sink.Update(u)
		}
		for i := range trades {
			v := u
			v.Trade = &trades[i]
			s.sink.Update(v)
		}
	case ClassUnknown:
		s.cfg.Logger.Warn("binance: order outcome unknown; asking the venue", "client_id", o.ClientID, "err", err)
		s.startResolve(ctx, wg, o.Spec.Symbol, o.ClientID, sentAt)
	default:
		reason := s.refused(c, err)
		s.sink.Update(OrderUpdate{Symbol: o.Spec.Symbol, ClientID: o.ClientID, Status: StatusRejected, Reason: reason, Time: time.Now()})
	}
}

// refused says why a request was refused and raises the halt its class
// calls for.
func (s *Sender) refused(c Class, err error) string {
	var ae *APIError
	errors.As(err, &ae)
	what := err.Error()
	if ae != nil {
		what = fmt.Sprintf("%d %s", ae.Code, ae.Msg)
	}
	now := time.Now()
	switch c {
	case ClassRateLimited:
		until := now.Add(max(ae.RetryAfter, time.Second))
		s.halt("rate_limit", fmt.Sprintf("rate limited (HTTP %d, %s) until %s", ae.HTTPStatus, what, until.UTC().Format(time.RFC3339Nano)), until)
		return "rate limited: " + what
	case ClassBanned:
		until := now.Add(max(ae.RetryAfter, time.Second))
		why := "IP banned until " + until.UTC().Format(time.RFC3339) + " (" + what + ")"
		s.halt("ban", why, until)
		return why
	case ClassClock:
		why := fmt.Sprintf("clock: the venue refused our timestamp (%s); our clock is measured %d ms off the venue's (round trip %d ms, recvWindow %s)",
			what, s.cfg.Clock.Offset().Milliseconds(), s.cfg.Clock.RTT().Milliseconds(), s.cfg.RecvWindow)
		s.halt("clock", why, now.Add(s.cfg.Backoff))
		return why
	case ClassAuth:
		s.halt("auth", "the venue refused our API key or signature ("+what+"): an operator must act", time.Time{})
	}
	return what
}

func (s *Sender) halt(cause, reason string, until time.Time) {
	s.sink.Halt(cause, reason)
	if until.IsZero() {
		return // no end the sender can see
	}
	s.mu.Lock()
	s.halts[cause] = later(s.halts[cause], until)
	s.mu.Unlock()
	select { // Run recomputes when to lift it
	case s.wake <- struct{}{}:
	default:
	}
}

// clockWatch is how often the sender looks at the clock's health: order
// entry halts as soon as the clock is Unhealthy (off by more than half the
// recvWindow, or stale), not only when the venue refuses a timestamp.
const clockWatch = time.Second

// liftHalts halts for a clock gone bad, resumes what has cleared, and
// returns when to look again. A clock halt clears when a fresh sync puts
// the clock back in the window.
func (s *Sender) liftHalts(ctx context.Context) time.Duration {
	s.mu.Lock()
	_, clockHalted := s.halts["clock"]
	s.mu.Unlock()
	if h := s.cfg.Clock.Health(time.Now()); !clockHalted && h.Level == Unhealthy {
		s.halt("clock", "clock: "+h.Reason, time.Now())
	}
	s.mu.Lock()
	due := map[string]bool{}
	now, next := time.Now(), clockWatch
	for cause, at := range s.halts {
		if d := at.Sub(now); d > 0 {
			next = min(next, d)
		} else {
			due[cause] = true
		}
	}
	s.mu.Unlock()
	for cause := range due {
		if cause == "clock" {
			sctx, cancel := context.WithTimeout(ctx, s.cfg.RecvWindow)
			err := s.cfg.Clock.Sync(sctx)
			cancel()
			if err != nil || s.cfg.Clock.Health(time.Now()).Level == Unhealthy {
				s.mu.Lock()
				s.halts[cause] = time.Now().Add(time.Second)
				s.mu.Unlock()
				next = min(next, time.Second)
				continue
			}
		}
		s.mu.Lock()
		at, ok := s.halts[cause]
		lift := ok && !at.After(time.Now()) // not extended meanwhile
		if lift {
			delete(s.halts, cause)
		}
		s.mu.Unlock()
		if lift {
			s.sink.Resume(cause)
		}
	}
	return next
}
