package store

import (
	"context"
	"fmt"
	"log/slog"
)

// OpenRecovered opens the durable store in dir, as the daemon does at
// start, and recovers from a crash: a session the store finds still active
// was interrupted (the daemon died under it), and is marked so, with its
// last committed tick, before any session starts. It is the same path for a clean start and a crash: a
// clean stop simply leaves nothing to mark. Any error means the daemon
// must not trade: the caller exits.
func OpenRecovered(ctx context.Context, dir string, opts Options, log *slog.Logger) (Store, error) {
	st, err := Open(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	interrupted, err := st.MarkInterrupted(ctx,
		"tradingd stopped while the session ran (crash, kill -9 or power loss); its last committed tick is kept")
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("recovering interrupted sessions: %w", err)
	}
	for _, s := range interrupted {
		log.Warn("found an interrupted session; 'tradectl start --resume --session ID' carries on from its last committed tick, "+
			"'tradectl start --abandon-interrupted' cancels its open orders; no new session starts until one of them",
			"session", s.ID, "started", s.Started, "last_commit", s.LastTick)
	}
	log.Info("store open", "path", dir, "durability", opts.Durability.String(), "interrupted_sessions", len(interrupted))
	return st, nil
}
