package session

import (
	"context"
	"time"
)

// KeptOpenReason is what an order kept open by a stop says: the paper
// venue lives in the session, so a resting order stays in its books (and
// in the store, with what it promised of the account) but can neither fill
// nor be cancelled until the session resumes.
const KeptOpenReason = "kept open at stop: resting at the paper venue, which stopped with the session; " +
	"it neither fills nor can be cancelled until the session is resumed"

// noteKeptOrders marks the orders a stop kept open, in the store, so that
// 'orders' shows them open and says why. It runs after the loop returned.
func (s *Session) noteKeptOrders() {
	if s.opts.Store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.opts.Store.NoteOpenOrders(ctx, s.id, KeptOpenReason, time.Now()); err != nil {
		s.log.Error("could not record the orders kept open at stop", "err", err)
	}
}
