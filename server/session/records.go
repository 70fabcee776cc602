package session

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tradectl/tradectl/server/store"
)

// storeTimeout bounds each write of a session record: the store is local,
// and a call that takes longer than this is a disk in trouble.
const storeTimeout = 10 * time.Second

// recordStart stores a new session before Start returns: a session the
// caller was told about is never missing from the history.
func (s *Session) recordStart(st store.Store) error {
	settings, err := json.Marshal(s.settings)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	return st.CreateSession(ctx, store.SessionRecord{ID: s.id, State: store.StateRunning, Reason: "",
		SettingsJSON: settings, Started: s.started})
}

// recordEnd stores the final state and summary. It runs on a fresh context:
// the session is ending, often because the daemon is, and its end must be
// written all the same.
func (s *Session) recordEnd(st store.Store, final State, reason string, ended time.Time) {
	summary, err := json.Marshal(s.Snapshot().Summary)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		err = st.UpdateSession(ctx, s.id, final.String(), reason, ended, summary)
	}
	if err != nil {
		s.log.Error("could not record the session's end in the store", "err", err)
	}
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

func parseState(s string) State {
	for st := StateStarting; st <= StateInterrupted; st++ {
		if st.String() == s {
			return st
		}
	}
	return StateUnspecified
}
