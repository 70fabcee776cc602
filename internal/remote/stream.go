package remote

import (
	"fmt"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// attachment is one client's stream, from its hello to its detach. Its
// fields are guarded by the Strategy's mu.
type attachment struct {
	hello *tradingv1.StrategyHello
	sub   subscription
	since time.Time
	// queue holds the events not yet sent, oldest first.
	queue []*tradingv1.StrategyEvent
	// awaiting are the events sent that need an answer and have none yet.
	awaiting []sent
	// inbox holds the answers received and not yet taken by the loop.
	inbox []inbound
	// queuedAsks counts the events in queue that need an answer.
	queuedAsks int
	// ready is signalled when the queue grows; room when the inbox
	// empties; moved when an event is sent or answered; done is closed by
	// the detach.
	ready, room, moved, done chan struct{}
	detached                 bool
	final                    bool // the queue ends with StrategyStopped
	// closeTimer detaches a client that does not read its last event.
	closeTimer *time.Timer
	// err is why the stream ends (nil: the client left).
	err error
}

type sent struct {
	seq uint64
	at  time.Time
}

// inbound is an answer as the receiver took it: bad says why the whole
// answer is refused.
type inbound struct {
	ans *tradingv1.StrategyAnswer
	bad string
}

// subscription is what a hello asked for.
type subscription struct {
	symbols     map[string]bool // nil: all of the session's
	book, trade bool
	depth       bool
	timer       time.Duration
}

// maxTimer is the longest timer_interval a time.Duration holds (292 years).
const maxTimer = time.Duration(1<<63 - 1)

func (s subscription) wants(ev *market.Event) bool {
	if s.symbols != nil && !s.symbols[ev.Symbol] {
		return false
	}
	return (ev.Kind == market.EventBook && s.book) || (ev.Kind == market.EventTrade && s.trade)
}

func (a *attachment) unansweredLocked() bool { return a.queuedAsks > 0 || len(a.awaiting) > 0 }

// subscribe checks a hello against the session's symbols.
func (s *Strategy) subscribe(h *tradingv1.StrategyHello) (subscription, error) {
	var sub subscription
	if len(h.GetVersion()) > 64 {
		return sub, fmt.Errorf("hello.version: at most 64 characters, got %d", len(h.GetVersion()))
	}
	if len(h.GetSymbols()) > 0 {
		sub.symbols = make(map[string]bool, len(h.GetSymbols()))
		for i, sym := range h.GetSymbols() {
			if !s.symbols[sym] {
				return sub, fmt.Errorf("hello.symbols[%d]: %q is not one of the session's symbols %v", i, sym, s.cfg.Symbols)
			}
			sub.symbols[sym] = true
		}
	}
	if len(h.GetKinds()) == 0 {
		sub.book = true
	}
	for i, k := range h.GetKinds() {
		switch k {
		case tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_BOOK:
			sub.book = true
		case tradingv1.StrategyEventKind_STRATEGY_EVENT_KIND_TRADE:
			sub.trade = true
		default:
			return sub, fmt.Errorf("hello.kinds[%d]: unknown event kind %d", i, k)
		}
	}
	sub.depth = h.GetDepth()
	if ti := h.GetTimerInterval(); ti != nil {
		if err := ti.CheckValid(); err != nil {
			return sub, fmt.Errorf("hello.timer_interval: %v", err)
		}
		if ti.GetSeconds() > int64(maxTimer/time.Second) {
			// AsDuration would saturate: the timer asked for is not the
			// one the strategy would get.
			return sub, fmt.Errorf("hello.timer_interval: at most %s, got %ds", maxTimer, ti.GetSeconds())
		}
		if sub.timer = ti.AsDuration(); sub.timer < time.Millisecond {
			return sub, fmt.Errorf("hello.timer_interval: at least 1ms, got %s", sub.timer)
		}
	}
	return sub, nil
}

// attach makes the client of hello the one that drives the strategy. It
// fails with a status: STRATEGY_ATTACHED if one is attached already,
// STRATEGY_NOT_EXPECTED once the session ended, DECISION_INVALID for a hello
// the session cannot serve.
func (s *Strategy) attach(hello *tradingv1.StrategyHello) (*attachment, error) {
	sub, err := s.subscribe(hello)
	if err != nil {
		return nil, tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID.Status(err.Error(), nil).Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, tradingv1.ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED.Status(
			fmt.Sprintf("the session that ran remote:%s has ended", s.cfg.Name), nil).Err()
	case s.att != nil && !s.att.detached:
		return nil, tradingv1.ErrorReason_ERROR_REASON_STRATEGY_ATTACHED.Status(
			fmt.Sprintf("a strategy is attached to remote:%s already (version %q, since %s)", s.cfg.Name,
				s.att.hello.GetVersion(), s.att.since.UTC().Format(time.RFC3339)), nil).Err()
	}
	a := &attachment{hello: hello, sub: sub, since: s.cfg.Now(), ready: make(chan struct{}, 1),
		room: make(chan struct{}, 1), moved: make(chan struct{}, 1), done: make(chan struct{})}
	if old := s.att; old != nil {
		// The loop still owes the old attachment its detach (see
		// OnEvent); it keeps nothing else of it.
		old.queue, old.inbox, old.awaiting, old.queuedAsks = nil, nil, nil, 0
	}
	s.att = a
	close(s.attachedCh)
	s.attachedCh = make(chan struct{})
	s.cfg.Logger.Info("remote strategy attached", "name", s.cfg.Name, "version", hello.GetVersion())
	return a, nil
}

// detachLocked ends a: err is what its stream ends with (nil: the client
// left). The loop applies the detach at its next event.
func (s *Strategy) detachLocked(a *attachment, err error) {
	if a.detached {
		return
	}
	a.detached, a.err, a.since = true, err, s.cfg.Now()
	if a.closeTimer != nil {
		a.closeTimer.Stop()
	}
	a.queue, a.inbox, a.awaiting, a.queuedAsks = nil, nil, nil, 0
	close(a.done)
	signal(s.wake)
	s.cfg.Logger.Warn("remote strategy detached", "name", s.cfg.Name, "err", err)
}

// detach ends a (the stream's handler calls it when the stream ends).
func (s *Strategy) detach(a *attachment, err error) {
	s.mu.Lock()
	s.detachLocked(a, err)
	s.mu.Unlock()
}

// enqueueLocked gives e the next sequence number and the market time t, and
// queues it for the attachment the loop serves. Events that need an answer
// fit while fewer than Window are queued or unanswered; the others (the
// snapshot, order updates, refusals: a burst of them follows a large
// answer) while fewer than replyCap are queued. In Live mode an event that
// does not fit coalesces (a book update) or detaches the client; in
// Lockstep the loop may wait, so it waits for room.
func (s *Strategy) enqueueLocked(t time.Time, e *tradingv1.StrategyEvent) {
	a := s.seen
	for a != nil && s.cfg.Mode == Lockstep && !a.detached && !a.final && !s.fitsLocked(a, e) {
		ch := a.moved
		s.mu.Unlock()
		select {
		case <-ch:
		case <-a.done:
		case <-s.cfg.Done:
			s.mu.Lock()
			return
		}
		s.mu.Lock()
	}
	if a == nil || a.detached || a.final {
		return
	}
	if !s.fitsLocked(a, e) {
		if b := e.GetBook(); b != nil {
			for _, q := range slices.Backward(a.queue) {
				if qb := q.GetBook(); qb != nil && qb.Symbol == b.Symbol {
					b.Coalesced = qb.Coalesced + 1
					q.Event, q.Time = &tradingv1.StrategyEvent_Book{Book: b}, timestamppb.New(t)
					s.coalesced.Add(1)
					return
				}
			}
		}
		s.detachLocked(a, tradingv1.ErrorReason_ERROR_REASON_STRATEGY_TOO_SLOW.Status(fmt.Sprintf(
			"the strategy left %d events unanswered or %d unread (its window); detached", s.cfg.Window, s.replyCap), nil).Err())
		return
	}
	s.seq++
	e.Sequence, e.Time = s.seq, timestamppb.New(t)
	a.queue = append(a.queue, e)
	if e.NeedsAnswer {
		a.queuedAsks++
	}
	signal(a.ready)
}

func (s *Strategy) fitsLocked(a *attachment, e *tradingv1.StrategyEvent) bool {
	if e.NeedsAnswer {
		return a.queuedAsks+len(a.awaiting) < s.cfg.Window
	}
	return len(a.queue) < s.replyCap
}

// takeLocked moves a's answers to dst.
func (s *Strategy) takeLocked(a *attachment, dst []inbound) []inbound {
	if len(a.inbox) == 0 {
		return dst
	}
	dst = append(dst, a.inbox...)
	clear(a.inbox)
	a.inbox = a.inbox[:0]
	signal(a.room)
	return dst
}

// next is the next event to send to a, waiting for one until a detaches or
// done is closed; final says the stream ends after it. After a detach it
// returns no event and the detach's error (nil: the client left); when
// done is closed, neither.
func (s *Strategy) next(a *attachment, done <-chan struct{}) (ev *tradingv1.StrategyEvent, final bool, err error) {
	for {
		s.mu.Lock()
		if len(a.queue) > 0 && !a.detached {
			ev = a.queue[0]
			a.queue[0] = nil
			a.queue = a.queue[1:]
			if ev.NeedsAnswer {
				a.queuedAsks--
				a.awaiting = append(a.awaiting, sent{ev.Sequence, s.cfg.Now()})
			}
			signal(a.moved)
			s.sentSeq = ev.Sequence
			final = a.final && len(a.queue) == 0
			s.mu.Unlock()
			s.events.Add(1)
			return ev, final, nil
		}
		if a.detached {
			err = a.err
			s.mu.Unlock()
			return nil, false, err
		}
		s.mu.Unlock()
		select {
		case <-a.ready:
		case <-a.done:
		case <-done:
			return nil, false, nil
		}
	}
}

// deliver hands an answer to the loop. It waits while a's inbox holds a
// window of answers the loop has not taken (a flood meets the stream's
// flow control, not the loop's memory), until a detaches or done is
// closed; it reports whether the answer was delivered.
func (s *Strategy) deliver(a *attachment, ans *tradingv1.StrategyAnswer, done <-chan struct{}) bool {
	for {
		s.mu.Lock()
		if a.detached {
			s.mu.Unlock()
			return false
		}
		if len(a.inbox) < s.cfg.Window {
			in := inbound{ans: ans}
			seq := ans.GetEventSequence()
			i := slices.IndexFunc(a.awaiting, func(w sent) bool { return w.seq == seq })
			switch {
			case i >= 0:
				a.awaiting = slices.Delete(a.awaiting, i, i+1)
				s.answers.Add(1)
			case seq > s.sentSeq:
				in.bad = fmt.Sprintf("event %d was never sent", seq)
			default:
				in.bad = fmt.Sprintf("event %d needs no answer from this attachment, or was answered already", seq)
			}
			if in.bad == "" {
				in.bad = oversized(ans)
			}
			if in.bad != "" {
				// Its decisions are never read: keeping them would let
				// a window of 1 MiB answers hold 256 MiB.
				in.ans = &tradingv1.StrategyAnswer{EventSequence: seq}
			}
			a.inbox = append(a.inbox, in)
			signal(a.moved)
			s.mu.Unlock()
			signal(s.wake)
			return true
		}
		s.mu.Unlock()
		select {
		case <-a.room:
		case <-a.done:
		case <-done:
			return false
		}
	}
}

// oversized says why ans is too long to take, "" if it is not.
func oversized(ans *tradingv1.StrategyAnswer) string {
	if n := len(ans.GetDecisions()); n > MaxDecisions {
		return fmt.Sprintf("%d decisions in one answer; at most %d", n, MaxDecisions)
	}
	if n := proto.Size(ans); n > MaxAnswerBytes {
		return fmt.Sprintf("an answer of %d bytes; at most %d", n, MaxAnswerBytes)
	}
	return ""
}

func marketEvent(ev *market.Event, depth bool) *tradingv1.StrategyEvent {
	e := &tradingv1.StrategyEvent{NeedsAnswer: true}
	if ev.Kind == market.EventTrade {
		e.Event = &tradingv1.StrategyEvent_Trade{Trade: tradePrint(ev)}
	} else {
		e.Event = &tradingv1.StrategyEvent_Book{Book: bookUpdate(ev, depth)}
	}
	return e
}
