package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The stop path. A stop has one deadline, the caller's (StopTrading's
// deadline, --stop-timeout for SIGTERM, the duration's end or a failure);
// every wait and every store call below derives from it, and what did not
// finish by it is named: the children still running, the orders left
// unsettled.

// StopOptions shape a stop.
type StopOptions struct {
	// Timeout bounds the wind-down; zero takes the default.
	Timeout time.Duration
	// KeepOpenOrders leaves resting orders at the venue; by default a
	// stop cancels them.
	KeepOpenOrders bool
	// SessionID, when set, stops only that session: if the current (or
	// last) session is another, Stop does nothing and fails with a
	// *SessionChangedError. The check and the stop act on one session
	// taken under mu, so a session started after the check is never the
	// one stopped.
	SessionID string
}

// await ends the session on the first of: a stop request, the duration
// elapsing, a child that may not be restarted failing. It then winds the
// session down under one deadline, the stop's: every wait and every store
// call below derives from it, so a stop asked to finish in 100ms does. The
// children get all of it but a reserve (endReserve) kept for settling
// orders and recording the end, so that even a loop that never returns
// leaves a session whose end is recorded, naming what did not stop.
func (s *Session) await(timeout <-chan time.Time) {
	final, reason := StateStopped, ""
	select {
	case <-s.stopReq:
		s.mu.Lock()
		reason = s.reason
		s.mu.Unlock()
	case <-timeout:
		reason = "duration elapsed"
		s.beginStop(reason)
	case reason = <-s.graceOver: // nil, and never ready, without a remote strategy
		s.beginStop(reason)
	case e := <-s.sup.Exits():
		final, reason = StateFailed, fmt.Sprintf("%s failed: %v", e.Name, e.Err)
		s.beginStop(reason)
	}
	s.mu.Lock()
	deadline, budget := s.stopDeadline, s.stopTimeoutLocked()
	s.mu.Unlock()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	reserve := endReserve(budget)
	childrenBy := deadline.Add(-reserve)

	// Children stop in reverse start order, so the monitor watches the loop
	// to its last tick. The monitor, quick to stop, may use half the
	// reserve: a loop that used up its share must not get the monitor
	// reported stuck when it is not, which would hide the real culprit.
	by := func(name string) time.Time {
		if name == childMonitor {
			return later(childrenBy, time.Now()).Add(reserve / 2)
		}
		return childrenBy
	}
	unstopped := s.sup.Stop(by, func(name string) {
		if name == childCoordinator {
			s.settleOrders(ctx)
		}
	})
	for _, name := range unstopped {
		s.log.Error("child did not stop before the deadline", "child", name, "deadline", budget)
	}
	if !s.monitor.Close(time.Until(deadline.Add(-reserve / 2))) {
		for _, name := range s.monitor.Stuck() {
			unstopped = append(unstopped, "health check "+name)
		}
	}
	if slices.Contains(unstopped, childCoordinator) {
		s.unsettledAtStop() // the loop owns the venue: nothing could be cancelled
	}
	if len(unstopped) > 0 {
		final = StateFailed
		reason = fmt.Sprintf("%s; did not stop within %s: %s", reason, budget, strings.Join(unstopped, ", "))
	}
	s.mu.Lock()
	stopErrs := s.stopErrs
	s.mu.Unlock()
	if len(stopErrs) > 0 {
		final = StateFailed
		reason = fmt.Sprintf("%s; %s", reason, strings.Join(stopErrs, "; "))
	}
	s.mu.Lock()
	s.unstopped = unstopped
	s.mu.Unlock()
	// A daemon that exits with the loop stuck mid-tick ends it as a kill -9
	// would: what the store holds is the last committed tick, its orders
	// open. The session is left running in the store for the next start to
	// mark INTERRUPTED, to be resumed or abandoned; recorded FAILED it could
	// be neither, and its orders would stay ACCEPTED forever.
	exitStuck := s.exiting.Load() && slices.Contains(unstopped, childCoordinator)
	if exitStuck {
		final = StateInterrupted
		reason += "; the daemon exits with the trading loop, as after a crash: its last committed tick is kept, to resume"
	}
	// Log before the final state frees the slot, so that in the log every
	// session ends before the next one starts.
	if s.journal != nil {
		s.journal.end()
	}
	if s.opts.Store != nil && !exitStuck {
		// A stop the store did not record is not one: after a restart
		// the session is INTERRUPTED at its last committed tick, its
		// orders open there. The answer says so rather than STOPPED.
		if err := s.recordEnd(ctx, s.opts.Store, final, reason, time.Now()); err != nil {
			final = StateFailed
			reason += "; the store could not record the end, so after a restart the session shows INTERRUPTED " +
				"at its last committed tick (the log has the error)"
		}
	}
	// The venue's connection ends after the loop (the stop's cancels went
	// through it) and before the slot frees: two sessions never hold one
	// account's streams at once.
	s.closeParts()
	sum := s.Snapshot().Summary
	s.log.Info("session ended", "state", final.String(), "reason", reason, "ticks", sum.Ticks, "orders", sum.Orders,
		"fills", sum.Fills, "equity", sum.Equity.String(), "pnl", sum.Equity.Sub(sum.StartingEquity).String(),
		"coordinator_restarts", sum.CoordinatorRestarts)
	s.endRemote(final, reason)
	s.setState(final, reason)
	close(s.done)
}

// endReserve is the part of a stop's budget kept for what follows the
// children: settling orders and recording the end, quick local work that a
// short deadline must still leave room for.
func endReserve(budget time.Duration) time.Duration {
	return min(budget/2, time.Second)
}

// settleOrders cancels the open orders once the loop has stopped, unless
// the stop asked to keep them. It runs only after the loop returned: it
// touches what the loop owns. Its commit is bounded by the stop's ctx;
// cancellations it could not commit are named as unsettled.
func (s *Session) settleOrders(ctx context.Context) {
	s.mu.Lock()
	keep := s.keepOrders
	s.mu.Unlock()
	open := s.coord.Stats().OpenOrders
	if keep {
		if open > 0 {
			s.log.Warn("stop keeps open orders at the venue", "open_orders", open)
			s.noteKeptOrders(ctx)
		}
		return
	}
	ids := s.openOrderIDs()
	n, err := s.coord.CancelOpenOrders(ctx, time.Now())
	if err == nil && s.writeAhead {
		// The answers may take the children's share of the stop, not the
		// reserve that records its end.
		s.mu.Lock()
		by := s.stopDeadline.Add(-endReserve(s.stopTimeoutLocked()))
		s.mu.Unlock()
		actx, cancel := context.WithDeadline(ctx, by)
		err = s.awaitCancels(actx)
		cancel()
		ids = s.openOrderIDs()
	}
	if err != nil {
		s.log.Error("could not commit the stop's order cancellations", "err", err, "orders", len(ids))
	}
	s.mu.Lock()
	s.cancelled = n
	if err != nil {
		s.unsettled = ids
	}
	if err != nil && len(ids) > 0 {
		// Orders left open fail the stop, whichever step ran out of time:
		// a deadline that expired while the answers were being committed
		// (not between two looks) ended the session STOPPED.
		what := fmt.Sprintf("could not settle %d open orders (the log has the error)", len(ids))
		if s.writeAhead && errors.Is(err, context.DeadlineExceeded) {
			what = fmt.Sprintf("the venue did not confirm the cancellation of %d orders by the deadline", len(ids))
		}
		s.stopErrs = append(s.stopErrs, what)
	}
	s.mu.Unlock()
	if n > 0 {
		s.log.Info("cancelled open orders at stop", "orders", n)
	}
}

// unsettledAtStop names the open orders a stop meant to cancel but could
// not, because the loop that owns the venue did not stop.
func (s *Session) unsettledAtStop() {
	s.mu.Lock()
	keep := s.keepOrders
	s.mu.Unlock()
	if keep {
		return
	}
	ids := s.openOrderIDs()
	s.mu.Lock()
	s.unsettled, s.cancelled = ids, -1
	s.mu.Unlock()
	if len(ids) > 0 {
		s.log.Error("stop could not cancel open orders: the trading loop did not stop", "orders", len(ids))
	}
}

func (s *Session) openOrderIDs() []string {
	open, _ := s.orders.List(true, 0)
	ids := make([]string, len(open))
	for i := range open {
		ids[i] = open[i].ClientID
	}
	return ids
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (s *Session) stopTimeoutLocked() time.Duration {
	if s.stopTimeout > 0 {
		return s.stopTimeout
	}
	return s.opts.StopTimeout
}

// requestStop asks the session to stop within timeout. It returns true if
// this call moved a running session to STOPPING.
func (s *Session) requestStop(reason string, timeout time.Duration, keepOrders bool) bool {
	// Check, transition and close under one lock: two concurrent stops
	// must not both see RUNNING and both close stopReq.
	s.mu.Lock()
	if s.state != StateStarting && s.state != StateRunning {
		s.mu.Unlock()
		return false
	}
	s.stopTimeout = timeout
	s.stopDeadline = time.Now().Add(s.stopTimeoutLocked())
	s.keepOrders = keepOrders
	s.state, s.reason = StateStopping, reason
	// Logged before the stop is signalled, so that it precedes "session
	// ended" in the log.
	s.log.Info("session stopping", "reason", reason, "deadline", s.stopTimeoutLocked())
	close(s.stopReq)
	s.mu.Unlock()
	s.publish()
	return true
}

// beginStop starts a stop nobody asked for (the duration elapsed, a child
// failed), under the default stop timeout.
func (s *Session) beginStop(reason string) {
	s.mu.Lock()
	if s.stopDeadline.IsZero() {
		s.stopDeadline = time.Now().Add(s.stopTimeoutLocked())
	}
	s.mu.Unlock()
	s.setState(StateStopping, reason)
}

// stopBy is when the stop under way must be over (zero before a stop).
func (s *Session) stopBy() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopDeadline
}

// stopping names what a stop that is still under way has not finished:
// the children still running and, unless kept, the orders still open.
func (s *Session) stopping() (children, orders []string) {
	children = s.sup.Running()
	s.mu.Lock()
	keep := s.keepOrders
	s.mu.Unlock()
	if !keep {
		orders = s.openOrderIDs()
	}
	return children, orders
}

// waitStop waits for s to end, at most until its stop's deadline or ctx.
func waitStop(ctx context.Context, s *Session) error {
	var expired <-chan time.Time
	if by := s.stopBy(); !by.IsZero() {
		t := time.NewTimer(time.Until(by))
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-s.Done():
	case <-expired:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// stoppingSnapshot is the session's snapshot with, while a stop is still
// under way, what it has not finished named.
func (s *Session) stoppingSnapshot() Snapshot {
	snap := s.Snapshot()
	if snap.State == StateStopping {
		snap.Summary.Unstopped, snap.Unsettled = s.stopping()
	}
	return snap
}
