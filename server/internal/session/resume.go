package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Resume is ResumeSession of the newest interrupted session.
func (m *Manager) Resume(ctx context.Context) (Snapshot, error) { return m.ResumeSession(ctx, "") }

// ResumeSession carries on an interrupted session (the newest one if id
// is ""): same id, same settings, its account, its open orders (at the
// venue and in the books), its risk state (a halt stays a halt), its
// counters and the trading time it has had, all as of its last committed
// tick. Client order ids continue after the last one used, so none is
// reused. Like Start, it returns once the session's goroutines are
// launched, and does its store I/O under a claim, not under mu.
//
// Startup and resume share one path for the account: the Assembler builds
// the venue, portfolio and guard, a resume from their stored state (for the
// paper venue the market does not carry over: see assemble.Paper.Restore).
func (m *Manager) ResumeSession(ctx context.Context, id string) (Snapshot, error) {
	st := m.opts.Store
	if st == nil {
		return Snapshot{}, ErrNoStore
	}
	cur, release, err := m.claim(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	defer release()
	if cur != nil && cur.State().Active() {
		return Snapshot{}, &ConflictError{SessionID: cur.id, Err: ErrAlreadyRunning}
	}
	rec, err := m.resumeTarget(ctx, id)
	if err != nil {
		return Snapshot{}, err
	}
	// The session's last run may have ended with its loop stuck inside a
	// commit: refused once it returns, but until then the store may yet
	// change under a resume reading it, and two runs would write one
	// session's records.
	if cur != nil && cur.id == rec.ID && cur.journal != nil && cur.journal.busy() {
		return Snapshot{}, &ConflictError{SessionID: rec.ID, Err: fmt.Errorf("%w: its last run's trading loop, "+
			"which did not stop, is still committing a tick (refused, since the session ended); resume when it has returned",
			ErrStopping)}
	}
	sess, parts, err := m.reassemble(ctx, rec)
	if err != nil {
		return Snapshot{}, err
	}
	if err := st.ResumeSession(ctx, rec.ID, "resumed after: "+rec.Reason); err != nil {
		sess.closeParts()
		return Snapshot{}, storeFailed(ctx, err)
	}
	if err := sess.saveLiveStart(ctx, st); err != nil {
		sess.closeParts()
		return Snapshot{}, storeFailed(ctx, err)
	}
	sess.log.Warn("resuming interrupted session", "interrupted", rec.Reason, "last_commit", rec.LastTick,
		"open_orders", parts.Venue.OpenTotal(), "risk", parts.Risk.State().String(),
		"orders", rec.Counters.Orders, "fills", rec.Counters.Fills, "traded", rec.Counters.Traded)
	// Overtaken by a shutdown, the session stays what it was (INTERRUPTED,
	// or STOPPED with orders kept open), to resume after the restart:
	// recorded FAILED, no resume or abandon would take it, and its orders
	// would stay open forever.
	asFound := func(ctx context.Context, st store.Store) error {
		return st.UpdateSession(ctx, rec.ID, rec.State, rec.Reason, rec.Ended, nil)
	}
	if err := m.publish(ctx, sess, asFound); err != nil {
		sess.closeParts()
		return Snapshot{}, err
	}
	return sess.Snapshot(), nil
}

// resumeTarget finds the session a resume is about: id, or the newest
// interrupted session, else the newest session. It must be one that can
// be carried on (canResume).
func (m *Manager) resumeTarget(ctx context.Context, id string) (store.SessionRecord, error) {
	st := m.opts.Store
	var rec store.SessionRecord
	if id != "" {
		r, err := st.GetSession(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return store.SessionRecord{}, fmt.Errorf("%w %s", ErrUnknownSession, echo.Quote(id))
		}
		if err != nil {
			return store.SessionRecord{}, storeFailed(ctx, err)
		}
		rec = r
	} else {
		recs, err := st.InterruptedSessions(ctx)
		if err == nil && len(recs) == 0 {
			recs, err = st.ListSessions(ctx, 1)
		}
		if err != nil {
			return store.SessionRecord{}, storeFailed(ctx, err)
		}
		if len(recs) == 0 {
			return store.SessionRecord{}, ErrNothingToResume
		}
		rec = recs[len(recs)-1]
	}
	ok, err := canResume(ctx, st, rec)
	switch {
	case err != nil:
		return store.SessionRecord{}, storeFailed(ctx, err)
	case !ok && id == "":
		return store.SessionRecord{}, ErrNothingToResume
	case !ok:
		return store.SessionRecord{}, &NotInterruptedError{SessionID: id, State: parseState(rec.State)}
	}
	return rec, nil
}

// canResume reports whether a stored session can be carried on (see
// resumable: interrupted, or stopped with orders kept open).
func canResume(ctx context.Context, st store.Store, rec store.SessionRecord) (bool, error) {
	return resumable(ctx, st, rec)
}

// reassemble rebuilds an interrupted session from the store, not started.
func (m *Manager) reassemble(ctx context.Context, rec store.SessionRecord) (*Session, assemble.Parts, error) {
	old, err := snapshotFromRecord(rec)
	if err != nil {
		return nil, assemble.Parts{}, storeFailed(ctx, err)
	}
	s := old.Settings.WithDefaults(m.opts.HealthInterval) // settings stored before a field was added
	parts, r, err := m.opts.Assembler.Restore(ctx, m.opts.Store, rec, specOf(rec.ID, s))
	var jr *journal
	if err == nil {
		jr, err = m.journalFor(rec.ID, r)
	}
	if err != nil {
		closeParts(m.opts.Logger, parts) // a failed Restore released what it opened: Close is nil
		err = fmt.Errorf("cannot resume session %s: %w", rec.ID, err)
		if errors.Is(err, assemble.ErrVenueUnavailable) || errors.Is(err, settings.ErrLiveUnavailable) {
			// The venue's fault or the daemon's, not the store's: said as
			// it is (the answer said "the store failed").
			return nil, assemble.Parts{}, err
		}
		return nil, assemble.Parts{}, storeFailed(ctx, err)
	}
	sess, err := build(rec.ID, rec.Started, s, parts, m.opts, m.emit, m.feed, jr, r)
	if err != nil {
		closeParts(m.opts.Logger, parts)
		return nil, assemble.Parts{}, err
	}
	return sess, parts, nil
}

// journalFor is a resumed session's journal, numbering its open orders'
// transitions and fills on from the stored ones.
func (m *Manager) journalFor(id string, r *assemble.Restored) (*journal, error) {
	jr := newJournal(m.opts.Store, id)
	for _, o := range r.Open {
		if err := jr.adopt(o.ClientID, o.Transitions, o.Fills); err != nil {
			return nil, err
		}
	}
	return jr, nil
}

// settleInterrupted lets a new session start only when no session is
// INTERRUPTED, or when the caller chose to abandon them: an interrupted
// session left behind would keep its orders ACCEPTED forever.
func (m *Manager) settleInterrupted(ctx context.Context, abandon bool) error {
	recs, err := m.opts.Store.InterruptedSessions(ctx)
	if err != nil {
		return storeFailed(ctx, err)
	}
	if len(recs) == 0 {
		return nil
	}
	if !abandon {
		ids := make([]string, len(recs))
		for i, r := range recs {
			ids[i] = r.ID
		}
		return &InterruptedError{SessionIDs: ids}
	}
	for _, rec := range recs {
		if err := m.abandon(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// abandon cancels an interrupted session's open orders the way a stop
// does (at the venue, committed, each CANCELLED with the venue's reason),
// then marks it ABANDONED. A crash in between leaves it INTERRUPTED with
// nothing open, and abandoning it again finishes the job.
func (m *Manager) abandon(ctx context.Context, rec store.SessionRecord) error {
	sess, _, err := m.reassemble(ctx, rec)
	if err != nil {
		return err
	}
	defer sess.closeParts() // never started: nothing else ends its connection
	n, err := sess.coord.CancelOpenOrders(ctx, time.Now())
	if err == nil && sess.writeAhead {
		err = sess.awaitCancels(ctx) // a live venue answers later: abandon nothing still open there
	}
	if err != nil {
		return storeFailed(ctx, fmt.Errorf("abandoning session %s: cancelling its open orders: %w", rec.ID, err))
	}
	reason := fmt.Sprintf("abandoned on request (start with abandon_interrupted; the audit log names the caller): "+
		"%d open orders cancelled; it had been interrupted: %s", n, rec.Reason)
	if err := m.opts.Store.AbandonSession(ctx, rec.ID, reason, time.Now()); err != nil {
		return storeFailed(ctx, err)
	}
	sess.log.Warn("abandoned interrupted session", "open_orders_cancelled", n, "interrupted", rec.Reason)
	m.mu.Lock()
	if m.storedOK && m.stored.ID == rec.ID {
		m.stored.State, m.stored.Reason = StateAbandoned, reason
	}
	m.mu.Unlock()
	return nil
}
