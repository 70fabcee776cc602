package binance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// startResolve asks about clientID on its own goroutine, unless a question
// about it is already running.
func (s *Sender) startResolve(ctx context.Context, wg *sync.WaitGroup, symbol, clientID string, sentAt time.Time) {
	s.mu.Lock()
	busy := s.resolving[clientID]
	s.resolving[clientID] = true
	s.mu.Unlock()
	if busy {
		return
	}
	wg.Go(func() {
		u, found := s.resolve(ctx, symbol, clientID, sentAt)
		s.mu.Lock()
		delete(s.resolving, clientID)
		cancel := s.cancelLater[clientID]
		delete(s.cancelLater, clientID)
		s.mu.Unlock()
		if cancel && found && (u.Status == StatusNew || u.Status == StatusPartiallyFilled) {
			// It arrived after its cancel was answered "unknown order".
			s.cancel(ctx, wg, symbol, clientID)
		}
	})
}

// resolve asks the venue for the order until it knows. A -2013 proves
// nothing while the request may still arrive and execute: only one asked
// after sentAt + recvWindow + |offset| + margin (by when the venue refuses
// the request's timestamp) is the never-sent verdict. Until then, and on
// every other answer, it asks again with backoff; a rate limit's
// Retry-After is waited out, never skipped.
func (s *Sender) resolve(ctx context.Context, symbol, clientID string, sentAt time.Time) (OrderUpdate, bool) {
	deadline := sentAt.Add(s.cfg.RecvWindow + s.cfg.Clock.Offset().Abs() + s.cfg.Margin)
	backoff := s.cfg.Backoff
	for {
		asked := time.Now()
		u, err := s.api.Query(ctx, symbol, clientID)
		wait := backoff
		switch c := Classify(err); c {
		case ClassNone:
			s.sink.Update(u)
			return u, true
		case ClassNotFound:
			if !asked.Before(deadline) {
				s.sink.Update(OrderUpdate{Symbol: symbol, ClientID: clientID, Status: StatusNeverSent, Time: asked,
					Reason: fmt.Sprintf("never sent: the venue does not know the order (%s), asked %s after it was sent, when the request could no longer execute",
						errText(err), asked.Sub(sentAt).Round(time.Millisecond))})
				return OrderUpdate{}, false
			}
			wait = min(wait, time.Until(deadline)+time.Millisecond)
		case ClassRateLimited, ClassBanned:
			var ae *APIError
			if errors.As(err, &ae) {
				wait = max(wait, ae.RetryAfter)
			}
		default:
			s.cfg.Logger.Warn("binance: asking about an order failed; asking again", "client_id", clientID, "err", err)
		}
		if !sleep(ctx, wait) {
			return OrderUpdate{}, false // the next start resolves it from the store
		}
		backoff = min(2*backoff, s.cfg.MaxBackoff)
	}
}

// cancel sends a cancel; one refused for a passing reason (rate limit,
// ban, unknown outcome, clock) is tried again, with backoff, in one loop
// per order on its own goroutine, since taking an order off the book must
// not be forgotten and the orders behind it in the queue must not wait.
// A cancel of an order the venue does not have open asks for the order,
// whose final state (or never-sent verdict) is the answer.
func (s *Sender) cancel(ctx context.Context, wg *sync.WaitGroup, symbol, clientID string) {
	s.mu.Lock()
	busy := s.cancelling[clientID]
	s.mu.Unlock()
	if busy {
		return // a cancel queued before the retries began
	}
	backoff := s.cfg.Backoff
	wait, again := s.cancelOnce(ctx, wg, symbol, clientID, backoff)
	if !again {
		return
	}
	s.mu.Lock()
	s.cancelling[clientID] = true
	s.mu.Unlock()
	wg.Go(func() {
		defer func() {
			s.mu.Lock()
			delete(s.cancelling, clientID)
			s.mu.Unlock()
		}()
		for again && sleep(ctx, wait) {
			backoff = min(2*backoff, s.cfg.MaxBackoff)
			wait, again = s.cancelOnce(ctx, wg, symbol, clientID, backoff)
		}
	})
}

// cancelOnce sends one cancel; again says to try once more after wait.
func (s *Sender) cancelOnce(ctx context.Context, wg *sync.WaitGroup, symbol, clientID string, backoff time.Duration) (wait time.Duration, again bool) {
	u, err := s.api.Cancel(ctx, symbol, clientID)
	switch c := Classify(err); c {
	case ClassNone:
		s.sink.Update(u)
		return 0, false
	case ClassNotFound:
		// Not on the venue: ended, or not arrived yet (its outcome may be
		// being asked about). If the question finds it open, the cancel
		// is sent again then.
		s.mu.Lock()
		s.cancelLater[clientID] = true
		s.mu.Unlock()
		s.startResolve(ctx, wg, symbol, clientID, time.Now())
		return 0, false
	case ClassRejected:
		s.cfg.Logger.Error("binance: cancel refused", "client_id", clientID, "err", err)
		return 0, false
	case ClassAuth:
		s.refused(c, err)
		return 0, false
	}
	wait = backoff
	var ae *APIError
	if errors.As(err, &ae) {
		wait = max(wait, ae.RetryAfter)
	}
	return wait, true
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func errText(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("%d %s", ae.Code, ae.Msg)
	}
	return err.Error()
}
