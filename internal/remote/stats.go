package remote

import (
	"time"

	"google.golang.org/grpc/status"
)

// Stats are the figures the session's health check reads; any goroutine may
// ask, and asking never waits for the loop.
type Stats struct {
	// Attached says whether a client drives the strategy now; Since is
	// when it attached or, if not attached, when the last one detached
	// (zero: none ever attached).
	Attached bool
	Since    time.Time
	// Version is the attached client's (its hello's).
	Version string
	// Detach is why the last client detached ("" while attached, or when
	// it simply left).
	Detach string
	// OldestUnanswered is the sequence of the oldest event sent that waits
	// for its answer (0: none), and SentAt when it was sent (wall clock).
	OldestUnanswered uint64
	SentAt           time.Time
	// InWindow is how much of the window is in use: events that need an
	// answer, queued for the stream or sent and unanswered.
	InWindow int
	// Closed: the session ended (Close).
	Closed bool
	// Counts since the strategy was built: events sent, answers received,
	// decisions refused, book updates coalesced.
	Events, Answers, Refusals, Coalesced uint64
}

// Stats returns the health figures.
func (s *Strategy) Stats() Stats {
	st := Stats{Events: s.events.Load(), Answers: s.answers.Load(), Refusals: s.refusals.Load(),
		Coalesced: s.coalesced.Load()}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Closed = s.closed
	a := s.att
	if a == nil {
		return st
	}
	st.Attached, st.Since, st.Version = !a.detached, a.since, a.hello.GetVersion()
	if a.detached && a.err != nil {
		// The message alone: health shows it to every client.
		st.Detach = status.Convert(a.err).Message()
	}
	st.InWindow = a.queuedAsks + len(a.awaiting)
	if len(a.awaiting) > 0 {
		st.OldestUnanswered, st.SentAt = a.awaiting[0].seq, a.awaiting[0].at
	}
	return st
}
