// Package remote runs a strategy that lives outside the process: a gRPC
// client that receives the session's events on a stream and answers them
// with decisions (StrategyService.RunStrategy).
//
// It owns the loop-side Strategy (the events it hands out, the bounded
// window between the trading loop and the stream, the validation of
// answers, the strategy's orders by tag), the Registry of strategies
// waiting for a client, and the Service that attaches clients to them. It
// must never block the trading loop on the network (Live mode), never let
// a decision bypass the loop's risk guard (it only returns actions, which
// the coordinator checks like any strategy's), and never import the
// daemon (server/): the daemon and tradectl's backtest both use it.
package remote

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/strategy"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// Mode says whether the trading loop waits for the strategy.
type Mode uint8

const (
	// Live never waits: OnEvent queues the event and takes whatever
	// answers have arrived by then (a paper or live session).
	Live Mode = iota + 1
	// Lockstep waits, after an event that needs an answer, for that
	// answer (or the detach, or Close): the same events and the same
	// strategy give the same actions (a backtest).
	Lockstep
)

// DetachPolicy says what becomes of the strategy's open orders when it
// detaches.
type DetachPolicy uint8

const (
	// CancelOnDetach cancels them: nobody watches them any more.
	CancelOnDetach DetachPolicy = iota
	// KeepOnDetach keeps them resting for a re-attached strategy.
	KeepOnDetach
)

// DefaultWindow is the window when Config.Window is zero.
const DefaultWindow = 256

// MaxDecisions bounds the decisions of one answer; a longer answer is
// refused whole. A grid of 50 levels a side re-centering (100 cancels, 100
// places) fits.
const MaxDecisions = 256

// MaxAnswerBytes bounds the encoded size of one answer; a larger one is
// refused whole. MaxDecisions places with 64-character tags and 20-digit
// decimals take under 40 KiB; the bound keeps what a window of answers
// waiting for the loop holds to 16 MiB rather than the transport's 1 MiB a
// message times the window.
const MaxAnswerBytes = 64 << 10

// replyFactor times the window bounds the events that need no answer
// queued unsent (see enqueueLocked): a strategy that stops reading its
// stream is detached, one that just placed many orders is not.
const replyFactor = 16

// closeGrace is how long a client gets to read its last event once the
// session has ended (a variable for tests).
var closeGrace = 5 * time.Second

var nameRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Config is one remote strategy.
type Config struct {
	// Name is what the client's hello must name (remote:NAME).
	Name string
	// SessionID goes into the snapshot.
	SessionID string
	Mode      Mode
	// Symbols are the session's: the only ones the strategy may trade or
	// subscribe to.
	Symbols  []string
	OnDetach DetachPolicy
	// Window bounds the events that need an answer, unsent or
	// unanswered (see Strategy); zero: DefaultWindow.
	Window int
	// Done, when closed, releases a Lockstep OnEvent waiting for the client
	// (a backtest's context); nil: only Close and the detach do.
	Done   <-chan struct{}
	Logger *slog.Logger
	// Now is the wall clock for the health figures (when an event was
	// sent, since when attached); nil: time.Now. Timers run on market
	// time, never on it.
	Now func() time.Time
}

// Strategy is a remote strategy on the trading loop's side. It implements
// strategy.Strategy, strategy.Reporter and strategy.Adopter.
//
// Every event for the client gets the next sequence number; market and
// timer events need an answer. At most Window of those are queued unsent
// or sent unanswered, and at most 16 × Window others (order updates,
// refusals) queued unsent. In Live mode, when the window is full, a book
// update of a symbol that already has one queued unsent replaces it
// (BookUpdate.coalesced counts the replaced ones); any other event that
// does not fit detaches the client with RESOURCE_EXHAUSTED
// STRATEGY_TOO_SLOW. In Lockstep the loop waits for room instead, so that
// nothing depends on how fast the stream drains. A detach takes effect
// at the next OnEvent: answers not yet taken are dropped, and the open
// orders are cancelled under CancelOnDetach.
type Strategy struct {
	cfg      Config
	symbols  map[string]bool
	replyCap int

	// Owned by the loop's goroutine.
	byTag   map[string]*order // the live or pending order of each tag
	byID    map[string]*order // orders with a client id, until final
	pending []*order          // places not yet answered by a report, oldest first
	seen    *attachment       // the attachment the loop serves
	sub     subscription
	timer   time.Time               // market time of the next timer event
	inbox   []inbound               // scratch for the answers taken
	last    map[string]market.Quote // the latest top of book per symbol
	// orphaned: orders were adopted (a resume) and their client's detach,
	// which the process's end was, is not applied yet.
	orphaned bool

	mu      sync.Mutex
	att     *attachment // the latest attachment, detached or not
	closed  bool
	seq     uint64 // the last sequence number given
	sentSeq uint64 // the last sequence number sent
	// wake is signalled when an answer arrives, the client detaches, or
	// Close is called: a Lockstep OnEvent waits on it.
	wake       chan struct{}
	attachedCh chan struct{} // closed and replaced on every attach

	events, answers, refusals, coalesced atomic.Uint64
}

// New returns a strategy waiting for a client named cfg.Name.
func New(cfg Config) (*Strategy, error) {
	switch {
	case !nameRE.MatchString(cfg.Name):
		return nil, fmt.Errorf("remote strategy name %q: must be 1 to 64 characters of [A-Za-z0-9._-]", cfg.Name)
	case cfg.Mode != Live && cfg.Mode != Lockstep:
		return nil, errors.New("remote strategy: mode must be Live or Lockstep")
	case len(cfg.Symbols) == 0:
		return nil, errors.New("remote strategy: the session has no symbols")
	case cfg.Window < 0 || cfg.Window > 1<<16:
		return nil, fmt.Errorf("remote strategy: window %d is not in [0, 65536]", cfg.Window)
	case cfg.OnDetach != CancelOnDetach && cfg.OnDetach != KeepOnDetach:
		return nil, fmt.Errorf("remote strategy: unknown detach policy %d", cfg.OnDetach)
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Strategy{cfg: cfg, symbols: make(map[string]bool, len(cfg.Symbols)), byTag: make(map[string]*order),
		byID: make(map[string]*order), last: make(map[string]market.Quote), wake: make(chan struct{}, 1), attachedCh: make(chan struct{})}
	for _, sym := range cfg.Symbols {
		s.symbols[sym] = true
	}
	s.replyCap = replyFactor * cfg.Window
	return s, nil
}

// Name is the name a client attaches with.
func (s *Strategy) Name() string { return s.cfg.Name }

// OnEvent implements strategy.Strategy. In Live mode it never waits.
func (s *Strategy) OnEvent(ev *market.Event, ctx strategy.Context, dst []strategy.Action) []strategy.Action {
	if s.symbols[ev.Symbol] {
		s.last[ev.Symbol] = ev.Quote()
	}
	if s.orphaned {
		s.orphaned = false
		var cancelled bool
		if dst, cancelled = s.lost(dst); cancelled {
			return dst // as after any detach: the snapshot waits for the cancels' reports
		}
	}
	s.mu.Lock()
	if s.seen != nil && (s.seen != s.att || s.seen.detached) {
		s.seen = nil
		s.mu.Unlock()
		var cancelled bool
		dst, cancelled = s.lost(dst)
		if cancelled {
			// The cancels' reports arrive after this call: a snapshot
			// now would list orders about to end. The next event has it.
			return dst
		}
		s.mu.Lock()
	}
	if s.seen == nil && s.att != nil && !s.att.detached && !s.closed {
		s.seen, s.sub, s.timer = s.att, s.att.sub, time.Time{}
		s.enqueueLocked(ev.Time, s.snapshot(ctx))
	}
	att := s.seen
	if att == nil {
		s.mu.Unlock()
		return dst
	}
	s.inbox = s.takeLocked(att, s.inbox[:0])
	s.mu.Unlock()
	dst = s.decideAll(ev.Time, s.inbox, dst)

	s.mu.Lock()
	needs := false
	if s.sub.wants(ev) {
		needs = true
		s.enqueueLocked(ev.Time, marketEvent(ev, s.sub.depth))
	}
	if s.sub.timer > 0 {
		if s.timer.IsZero() {
			s.timer = ev.Time.Add(s.sub.timer)
		} else if !ev.Time.Before(s.timer) {
			needs = true
			s.enqueueLocked(ev.Time, &tradingv1.StrategyEvent{NeedsAnswer: true,
				Event: &tradingv1.StrategyEvent_Timer{Timer: &tradingv1.TimerFired{}}})
			// One timer for all the periods a gap in the data skipped,
			// computed rather than stepped: a day's gap at 1ms would be
			// 86 million steps on the loop.
			s.timer = s.timer.Add((ev.Time.Sub(s.timer)/s.sub.timer + 1) * s.sub.timer)
		}
	}
	if s.cfg.Mode != Lockstep || !needs {
		s.mu.Unlock()
		return dst
	}
	for !att.detached && !s.closed && att.unansweredLocked() {
		s.mu.Unlock()
		select {
		case <-s.wake:
		case <-s.cfg.Done:
			return dst
		}
		s.mu.Lock()
	}
	s.inbox = s.takeLocked(att, s.inbox[:0])
	s.mu.Unlock()
	return s.decideAll(ev.Time, s.inbox, dst)
}

// Close ends the strategy with the session: an attached client gets a
// final StrategyStopped event (state, reason) and its stream ends with OK;
// no client may attach any more, and a Lockstep OnEvent stops waiting.
func (s *Strategy) Close(state tradingv1.SessionState, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if a := s.att; a != nil && !a.detached {
		// Past the window on purpose: it is the last event, and a client
		// too slow for it still learns why its stream ended.
		s.seq++
		a.queue = append(a.queue, &tradingv1.StrategyEvent{Sequence: s.seq,
			Event: &tradingv1.StrategyEvent_Stopped{Stopped: &tradingv1.StrategyStopped{State: state, Reason: reason}}})
		a.final = true
		signal(a.ready)
		signal(a.moved)
		// A client that does not read would hold its stream, and the
		// goroutines serving it, for as long as it keeps its connection:
		// it gets closeGrace to read its last event.
		a.closeTimer = time.AfterFunc(closeGrace, func() {
			s.detach(a, tradingv1.ErrorReason_ERROR_REASON_STRATEGY_TOO_SLOW.Status(fmt.Sprintf(
				"the session ended and the strategy did not read its last event within %s", closeGrace), nil).Err())
		})
	}
	signal(s.wake)
	close(s.attachedCh)
	s.attachedCh = make(chan struct{})
}

// WaitAttached reports whether a client attached before done was closed or
// the strategy was closed (a backtest waits for it before its first event).
func (s *Strategy) WaitAttached(done <-chan struct{}) bool {
	for {
		s.mu.Lock()
		ok, ch, closed := s.att != nil && !s.att.detached, s.attachedCh, s.closed
		s.mu.Unlock()
		if ok {
			return true
		}
		if closed {
			return false
		}
		select {
		case <-ch:
		case <-done:
			return false
		}
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
