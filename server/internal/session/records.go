package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/server/internal/store"
)

// storeTimeout bounds each write of a session record: the store is local,
// and a call that takes longer than this is a disk in trouble.
const storeTimeout = 10 * time.Second

// recordStart stores a new session before Start returns: a session the
// caller was told about is never missing from the history. It is bounded
// by the caller's ctx as well: a caller that gave up is told of no session.
func (s *Session) recordStart(ctx context.Context, st store.Store) error {
	settings, err := json.Marshal(s.settings)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := st.CreateSession(ctx, store.SessionRecord{ID: s.id, State: store.StateRunning, Reason: "",
		SettingsJSON: settings, Started: s.started}); err != nil {
		return err
	}
	if err := s.saveLiveStart(ctx, st); err != nil {
		// The session never runs: its record must not read RUNNING.
		if uerr := st.UpdateSession(ctx, s.id, StateFailed.String(), "its venue and start balances could not be stored",
			time.Now(), nil); uerr != nil {
			s.log.Error("could not record that the session never started", "err", uerr)
		}
		return err
	}
	return nil
}

// recordEnd stores the final state and summary, bounded by the stop's
// ctx: its deadline is the caller's, not a fresh one. An error means the
// store still holds the session as running: the next start of the daemon
// marks it INTERRUPTED.
func (s *Session) recordEnd(ctx context.Context, st store.Store, final State, reason string, ended time.Time) error {
	sum := s.Snapshot().Summary
	// The curve ends where the session did. A point lost here loses the
	// end's point only: the session's end is recorded all the same.
	if err := st.AppendEquity(ctx, s.id, store.EquityRow{Time: ended, Equity: sum.Equity, Peak: sum.PeakEquity}); err != nil {
		s.log.Error("could not record the session's last equity point", "err", err)
	}
	summary, err := json.Marshal(sum)
	if err == nil {
		err = st.UpdateSession(ctx, s.id, final.String(), reason, ended, summary)
	}
	if err != nil {
		s.log.Error("could not record the session's end in the store", "err", err)
	}
	return err
}

// snapshotFromRecord rebuilds a stored session for queries.
func snapshotFromRecord(r store.SessionRecord) (Snapshot, error) {
	snap := Snapshot{ID: r.ID, StartTime: r.Started, EndTime: r.Ended, Reason: r.Reason, State: parseState(r.State)}
	if err := json.Unmarshal(r.SettingsJSON, &snap.Settings); err != nil {
		return snap, fmt.Errorf("session %s: settings: %w", r.ID, err)
	}
	if len(r.SummaryJSON) > 0 {
		if err := json.Unmarshal(r.SummaryJSON, &snap.Summary); err != nil {
			return snap, fmt.Errorf("session %s: summary: %w", r.ID, err)
		}
		// Summaries stored before the count moved into Risk kept it
		// beside it.
		var old struct{ RiskRejects uint64 }
		if snap.Summary.Risk.Rejects == 0 && json.Unmarshal(r.SummaryJSON, &old) == nil {
			snap.Summary.Risk.Rejects = old.RiskRejects
		}
	}
	return snap, nil
}

// StoredSnapshot rebuilds a stored session as the session recorded it, for
// the manager's idle report and for queries. A session that never recorded
// its end (INTERRUPTED, or ABANDONED after it) has no summary of its own:
// its summary is what its last commit left, the counters committed with
// the tick and the account and risk state.
func StoredSnapshot(ctx context.Context, st store.Store, r store.SessionRecord) (Snapshot, error) {
	snap, err := snapshotFromRecord(r)
	if err != nil {
		return snap, err
	}
	// The peak and largest drawdown are the store's for every session, as
	// GetEquityCurve reads them: the end's point may have raised them after
	// the summary was taken.
	if p, err := st.LoadEquityPeak(ctx, r.ID); err == nil {
		snap.Summary.PeakEquity, snap.Summary.MaxDrawdown = p.Peak, p.MaxDrawdown
	} else if !errors.Is(err, store.ErrNotFound) {
		return snap, err
	}
	if len(r.SummaryJSON) > 0 {
		return snap, nil
	}
	c := r.Counters
	sum := &snap.Summary
	sum.Ticks, sum.Events, sum.Orders, sum.Fills, sum.Risk.Rejects = c.Ticks, c.Events, c.Orders, c.Fills, c.Refused
	sum.LastTick = r.LastTick
	if ps, err := st.LoadPortfolio(ctx, r.ID); err == nil {
		pf, err := portfolio.Restore(ps)
		if err != nil {
			return snap, fmt.Errorf("session %s: stored portfolio: %w", r.ID, err)
		}
		a := pf.Snapshot()
		sum.QuoteCurrency, sum.StartingEquity, sum.Equity, sum.Cash = a.QuoteCurrency, a.StartingCash, a.Equity, a.Cash
		sum.RealizedPnL, sum.UnrealizedPnL, sum.FeesPaid, sum.Positions = a.RealizedPnL, a.UnrealizedPnL, a.FeesPaid, a.Positions
	} else if !errors.Is(err, store.ErrNotFound) {
		return snap, err
	}
	if rr, err := st.LoadRisk(ctx, r.ID); err == nil {
		sum.Risk = RiskStatus{State: rr.State, Reason: rr.Reason, Since: rr.Since, Rejects: c.Refused}
	} else if !errors.Is(err, store.ErrNotFound) {
		return snap, err
	}
	open, _, err := st.ListOrders(ctx, r.ID, true, 0)
	if err != nil {
		return snap, err
	}
	sum.OpenOrders = len(open)
	return snap, nil
}

func parseState(s string) State {
	for st := StateStarting; st <= StateAbandoned; st++ {
		if st.String() == s {
			return st
		}
	}
	return StateUnspecified
}
