package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
	"github.com/tradectl/tradectl/server/internal/store"
)

// partsCloser calls the parts' Close once, from whichever path ends the
// session first: its stop, a failed start or resume, a daemon shutdown.
type partsCloser struct {
	once  sync.Once
	close func() error
}

// closeParts releases the parts' connection (a no-op for paper).
func (s *Session) closeParts() {
	s.parts.once.Do(func() {
		if s.parts.close == nil {
			return
		}
		if err := s.parts.close(); err != nil {
			s.log.Warn("closing the venue connection", "err", err)
		}
	})
}

// closeParts releases parts that never became a session.
func closeParts(log *slog.Logger, parts assemble.Parts) {
	if parts.Close == nil {
		return
	}
	if err := parts.Close(); err != nil {
		log.Warn("closing the venue connection of a session that did not start", "err", err)
	}
}

// withParts are the built-in checks with the parts' own: a part's check
// named like a built-in one takes its place (a live feed judges its
// freshness itself), the others are added after them.
func withParts(builtin, own []sessionhealth.Check) []sessionhealth.Check {
	out := make([]sessionhealth.Check, 0, len(builtin)+len(own))
	byName := make(map[string]sessionhealth.Check, len(own))
	for _, c := range own {
		byName[c.Name] = c
	}
	for _, c := range builtin {
		if o, ok := byName[c.Name]; ok {
			c = o
			delete(byName, c.Name)
		}
		out = append(out, c)
	}
	for _, c := range own {
		if _, ok := byName[c.Name]; ok {
			out = append(out, c)
		}
	}
	return out
}

// saveLiveStart stores a live session's venue and start balances, if it
// has some the store does not: a new session's, or a resumed one's that a
// crash kept from being stored.
func (s *Session) saveLiveStart(ctx context.Context, st store.Store) error {
	if s.liveStart == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	err := st.SaveLiveStart(ctx, s.id, *s.liveStart)
	if errors.Is(err, store.ErrDuplicate) {
		return nil // stored before: the first start's stands
	}
	return err
}

// cancelPoll is how often a stop looks for a live venue's answers to its
// cancellations.
const cancelPoll = 20 * time.Millisecond

// awaitCancels waits, after the loop stopped and CancelOpenOrders asked a
// live venue to cancel every open order, for the venue's answers: they
// arrive on its connection, and only the loop's side turns them into
// reports, so the stop drives it with heartbeats (no market data, no
// decision) and commits each, until no order is open or ctx (the stop's
// deadline) ends. Orders still open then fail the stop (it ends FAILED,
// naming them as unsettled): they may rest at the venue, and the session
// can be resumed for them.
func (s *Session) awaitCancels(ctx context.Context) error {
	tick := time.NewTicker(cancelPoll)
	defer tick.Stop()
	for {
		if err := s.coord.Settle(ctx, time.Now()); err != nil {
			return err
		}
		open := s.orders.OpenCount() // the book's: what the store will say
		if open == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("%d orders not confirmed cancelled by the venue: %w", open, ctx.Err())
		}
	}
}

// modeName is the session's mode as the log says it.
func modeName(m settings.Mode) string {
	if m == settings.ModeLive {
		return "live"
	}
	return "paper"
}

func isWriteAhead(v venue.Venue) bool {
	wa, ok := v.(venue.WriteAhead)
	return ok && wa.WriteAhead()
}
