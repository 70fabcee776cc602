package store

import (
	"database/sql"
	"time"
)

// checkpointEvery is how often the background checkpointer copies the WAL
// into the database file. Measured with a tick every 2 or 10 ms: every
// 250 ms, a checkpoint often met a commit and slowed it to 3-5 ms; every
// second, almost never.
const checkpointEvery = time.Second

// walSafetyPages is the WAL size (in 4 KiB pages, 16 MiB) at which the
// writer checkpoints by itself, as SQLite does by default at 1000. It
// matters only when commits come back to back (a backfill, a benchmark):
// the WAL starts over only if no commit lands between a checkpoint's start
// and the next commit, so checkpoints from beside a writer that never
// pauses let it grow. Such a commit takes ~20 ms here instead of ~0.4.
const walSafetyPages = 4096

// checkpointer copies the WAL into the database file off the trading
// loop's path. A checkpoint fsyncs the database; left to SQLite, it would
// run inside whichever commit crosses 1000 pages, and that tick would wait
// for the disk even under DurabilityProcess.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(path string, opts Options) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn(path, opts, checkpointing))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			// PASSIVE never blocks the writer. A checkpoint that fails (a
			// long backup holding old pages, a full disk) is only retried:
			// the WAL holds every commit until one succeeds, and a full
			// disk shows on the next commit anyway.
			_, _ = c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.db.Close()
}
