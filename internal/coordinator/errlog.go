package coordinator

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// FatalError is what the loop panics with when its own state can no longer
// be trusted (a fill the books refused): the tick was abandoned half-way,
// and a restart would trade on half-updated state. A supervisor that
// recovers it ends the session instead of restarting the loop.
type FatalError struct{ Err error }

func (e *FatalError) Error() string { return "fatal: " + e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// TimedError is an error with the time it happened.
type TimedError struct {
	Err  string
	Time time.Time
}

func (c *Coordinator) recordErr(to *atomic.Pointer[TimedError], err error) {
	now := c.cfg.Now()
	to.Store(&TimedError{Err: err.Error(), Time: now})
	c.errLogs.failed(c.cfg.Logger, to, now, err)
}

// errLogEvery is how often a failure that keeps repeating is logged again,
// as one line with the count. A full disk fails every tick: at a 50ms tick,
// a line per failure is 1,200 lines a minute that bury everything else.
const errLogEvery = 30 * time.Second

// errLogs rate-limits the loop's error log, per kind of error (the slot the
// error is recorded in): the first failure is logged at once, repeats are
// counted and summarized at most once per errLogEvery, and a kind that can
// tell (the store) logs a line when it works again. Health still shows
// every error as it happens; only the log is thinned.
type errLogs struct {
	mu    sync.Mutex
	kinds map[*atomic.Pointer[TimedError]]*errLog
}

type errLog struct {
	failing  bool
	since    time.Time // first failure of this run of failures
	logged   time.Time // last line written
	repeats  int       // failures since that line, not logged one by one
	failures int       // failures in this run
}

func (l *errLogs) failed(log *slog.Logger, kind *atomic.Pointer[TimedError], now time.Time, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds == nil {
		l.kinds = make(map[*atomic.Pointer[TimedError]]*errLog)
	}
	e := l.kinds[kind]
	if e == nil {
		e = &errLog{}
		l.kinds[kind] = e
	}
	if !e.failing {
		*e = errLog{failing: true, since: now, logged: now, failures: 1}
		log.Warn("trading loop error", "err", err)
		return
	}
	e.failures++
	e.repeats++
	if now.Sub(e.logged) >= errLogEvery {
		log.Warn("trading loop error repeated", "err", err, "times", e.repeats,
			"in", now.Sub(e.logged).Round(time.Millisecond), "failing_since", e.since)
		e.logged, e.repeats = now, 0
	}
}

// recovered ends a run of failures of kind, saying how long it lasted.
func (l *errLogs) recovered(log *slog.Logger, kind *atomic.Pointer[TimedError], now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.kinds[kind]
	if e == nil || !e.failing {
		return
	}
	log.Info("trading loop recovered", "failures", e.failures, "failing_for", now.Sub(e.since).Round(time.Millisecond))
	*e = errLog{}
}
