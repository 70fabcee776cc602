package session

import (
	"context"
	"fmt"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// A session driven by a remote strategy (remote:NAME) waits for its client,
// judges it in health (component "strategy") and stops by itself when the
// client stays away past the grace the user chose.

// graceEvery is how often watchAttach looks: a tenth of the grace, so the
// stop comes within 10% of it, at most a second apart.
func graceEvery(grace time.Duration) time.Duration {
	return min(max(grace/10, 10*time.Millisecond), time.Second)
}

// watchAttach is a supervised child of a remote strategy's session: when no
// client has been attached for the attach grace (since this run began, or
// since the last one detached), it asks the session to stop, with the
// reason, and waits for the stop.
func (s *Session) watchAttach(ctx context.Context) error {
	t := time.NewTicker(graceEvery(s.settings.AttachGrace))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if reason, over := s.graceReason(now); over {
				select {
				case s.graceOver <- reason:
				default: // already said
				}
				<-ctx.Done()
				return nil
			}
		}
	}
}

// graceReason says whether the client's absence has outlasted the grace,
// and how to say so.
func (s *Session) graceReason(now time.Time) (string, bool) {
	st := s.remote.Stats()
	if st.Attached || st.Closed {
		return "", false
	}
	grace := s.settings.AttachGrace
	if st.Since.IsZero() || st.Since.Before(s.runStart) {
		if now.Sub(s.runStart) < grace {
			return "", false
		}
		return fmt.Sprintf("strategy %q did not attach within %s", s.remote.Name(), grace), true
	}
	if now.Sub(st.Since) < grace {
		return "", false
	}
	return fmt.Sprintf("strategy %q detached and did not attach again within %s", s.remote.Name(), grace), true
}

// checkStrategy judges the remote strategy: absent (DEGRADED, saying how
// long the session waits), or attached and answering within the answer
// timeout (DEGRADED past it, UNHEALTHY past three times it).
func (s *Session) checkStrategy(_ context.Context, now time.Time) sessionhealth.Component {
	st := s.remote.Stats()
	name, grace, timeout := s.remote.Name(), s.settings.AttachGrace, s.settings.AnswerTimeout
	c := sessionhealth.Component{Status: sessionhealth.StatusHealthy}
	switch {
	case st.Closed:
	case !st.Attached && (st.Since.IsZero() || st.Since.Before(s.runStart)):
		c.Status = sessionhealth.StatusDegraded
		c.Reason = fmt.Sprintf("waiting for strategy %q to attach (%s so far; the session stops after %s)",
			name, now.Sub(s.runStart).Round(100*time.Millisecond), grace)
	case !st.Attached:
		c.Status = sessionhealth.StatusDegraded
		why := ""
		if st.Detach != "" {
			why = " (" + firstLine(st.Detach) + ")"
		}
		c.Reason = fmt.Sprintf("strategy %q detached %s ago%s; no new orders; waiting up to %s for it to attach again",
			name, now.Sub(st.Since).Round(100*time.Millisecond), why, grace)
	case st.OldestUnanswered != 0 && now.Sub(st.SentAt) > timeout:
		late := now.Sub(st.SentAt)
		c.Status = sessionhealth.StatusDegraded
		if late > 3*timeout {
			c.Status = sessionhealth.StatusUnhealthy
		}
		c.Reason = fmt.Sprintf("no answer to event %d for %s (answer timeout %s)", st.OldestUnanswered,
			late.Round(100*time.Millisecond), timeout)
	}
	return c
}

// endRemote ends the remote strategy with the session: its client gets the
// final state and reason, and the name is free for the next session.
func (s *Session) endRemote(final State, reason string) {
	if s.remote == nil {
		return
	}
	state := tradingv1.SessionState_SESSION_STATE_STOPPED
	switch final {
	case StateFailed:
		state = tradingv1.SessionState_SESSION_STATE_FAILED
	case StateInterrupted:
		state = tradingv1.SessionState_SESSION_STATE_INTERRUPTED
	}
	s.remote.Close(state, reason)
	s.opts.Remote.Unregister(s.remote)
}
