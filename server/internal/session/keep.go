package session

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/server/internal/store"
)

// KeptOpenReason is what an order kept open by a stop says: the paper
// venue lives in the session, so a resting order stays in its books (and
// in the store, with what it promised of the account) but can neither fill
// nor be cancelled until the session resumes.
const KeptOpenReason = "kept open at stop: resting at the paper venue, which stopped with the session; " +
	"it neither fills nor can be cancelled until the session is resumed"

// KeptOpenLiveReason is what an order a live session's stop kept open
// says: it rests at the real venue, which goes on matching it; nobody here
// hears of its fills until a resume reconciles them.
const KeptOpenLiveReason = "kept open at stop: resting at the venue, where it may still fill or be cancelled; " +
	"tradectl start --resume reconciles what became of it"

// noteKeptOrders marks the orders a stop kept open, in the store, so that
// 'orders' shows them open and says why. It runs after the loop returned,
// bounded by the stop's ctx.
func (s *Session) noteKeptOrders(ctx context.Context) {
	if s.opts.Store == nil {
		return
	}
	reason := KeptOpenReason
	if s.writeAhead {
		reason = KeptOpenLiveReason
	}
	if _, err := s.opts.Store.NoteOpenOrders(ctx, s.id, reason, time.Now()); err != nil {
		s.log.Error("could not record the orders kept open at stop", "err", err)
	}
}

// NoteOpenOrders is a session goroutine's write: through the gate.
func (s gatedStore) NoteOpenOrders(ctx context.Context, id, reason string, at time.Time) (int, error) {
	ctx, leave, err := s.gate.enter(ctx)
	if err != nil {
		return 0, err
	}
	defer leave()
	return s.Store.NoteOpenOrders(ctx, id, reason, at)
}

// resumable reports whether a session can be carried on: one a crash
// interrupted, or one that ended with orders open, which rest at its paper
// venue until the session resumes: kept by its stop, or left unsettled by
// a stop whose loop did not return in time (FAILED).
func resumable(ctx context.Context, st store.Store, rec store.SessionRecord) (bool, error) {
	switch rec.State {
	case store.StateInterrupted:
		return true, nil
	case store.StateStopped, store.StateFailed:
		open, _, err := st.ListOrders(ctx, rec.ID, true, 1)
		return len(open) > 0, err
	}
	return false, nil
}
