package session

import (
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/server/internal/supervisor"
)

// RestartPolicy bounds restarts of a failing child (see supervisor.Policy):
// past it the session fails rather than thrash.
type RestartPolicy = supervisor.Policy

// PanicError is a child's recovered panic (see supervisor.PanicError).
type PanicError = supervisor.PanicError

// The session's children, in start order.
const (
	childMonitor     = "monitor"
	childCoordinator = "coordinator"
	childAttach      = "strategy-attach"
)

// supervise builds the session's supervisor, one_for_one on purpose: the
// coordinator and the monitor share no state but the coordinator's
// published stats, so a crash of one says nothing about the other.
// Restarting the loop must not reset the monitor that is reporting the
// crash, and a monitor crash must never touch trading. The monitor starts
// first, so that it watches the loop from its first tick, and is always
// restarted (it holds no trading risk); the coordinator only with
// auto_restart, and only within the intensity limit, because a loop that
// keeps crashing is trading on broken state. A coordinator.FatalError is
// never restarted: its state is half-updated, and a restart would trade on
// it.
func (s *Session) supervise() *supervisor.Supervisor {
	children := []supervisor.Child{
		{Name: childMonitor, Serve: s.monitor.Run, Restart: true},
		{Name: childCoordinator, Serve: s.coord.Run, Restart: s.settings.AutoRestart, Limited: true},
	}
	if s.remote != nil {
		// Last: it only reads the remote's published figures.
		children = append(children, supervisor.Child{Name: childAttach, Serve: s.watchAttach, Restart: true})
	}
	return supervisor.New(supervisor.Config{
		Policy: s.opts.Restart,
		Logger: s.log,
		Permanent: func(err error) bool {
			fatal := (*coordinator.FatalError)(nil)
			return errors.As(err, &fatal)
		},
		OnFailure:     s.noteFailure,
		OnStopFailure: s.noteStopFailure,
		OnRestart:     func(string) { s.monitor.Kick() },
	}, children...)
}

func (s *Session) noteFailure(child string, err error) {
	msg := fmt.Sprintf("%s: %v", child, err)
	s.lastErr.Store(&msg)
	s.monitor.Kick()
}

// noteStopFailure records a child that failed (panicked, say) while it
// was being stopped: the supervisor logged it; it is counted, and the
// session's end says so, because the tick it abandoned may have left its
// state half-updated.
func (s *Session) noteStopFailure(child string, err error) {
	msg := fmt.Sprintf("%s: %v", child, err)
	s.lastErr.Store(&msg)
	s.stopFailures.Add(1)
	if s.opts.stopFailures != nil {
		s.opts.stopFailures.Add(1)
	}
	s.mu.Lock()
	s.stopErrs = append(s.stopErrs, fmt.Sprintf("%s failed while stopping: %v", child, err))
	s.mu.Unlock()
}
