package supervisor

import "time"

// Stop stops the children in reverse start order, so that the first
// started (a monitor, say) sees the others to their end. Each is cancelled
// in its turn and waited for until by(name), asked as its turn comes so
// that a deadline can depend on how long the children before it took;
// stopped(name), if not nil, runs once it has stopped, before the next
// one is stopped. Stop returns the names of those still running at their
// deadline, in the order they were stopped. A supervisor never started
// has nothing to stop.
func (s *Supervisor) Stop(by func(name string) time.Time, stopped func(name string)) (unstopped []string) {
	if !s.started.Load() {
		return nil
	}
	for i := len(s.children) - 1; i >= 0; i-- {
		c := s.children[i]
		if !c.stop(by(c.Name)) {
			unstopped = append(unstopped, c.Name)
			continue
		}
		if stopped != nil {
			stopped(c.Name)
		}
	}
	return unstopped
}

// StopChild stops one child (and no other) by deadline, reporting whether
// it stopped. It is for a caller that must let one child go first.
func (s *Supervisor) StopChild(name string, deadline time.Time) bool {
	c := s.child(name)
	if c == nil || !s.started.Load() {
		return true
	}
	return c.stop(deadline)
}

// stop cancels c and waits for it until deadline. It reports false if c is
// still running then.
func (c *child) stop(deadline time.Time) bool {
	c.cancel()
	select {
	case <-c.done: // a child that has stopped is never reported stuck for a deadline already past
		return true
	default:
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-c.done:
		return true
	case <-t.C:
		return false
	}
}

// Done is closed once the named child's goroutine has returned; nil for a
// name the supervisor does not run.
func (s *Supervisor) Done(name string) <-chan struct{} {
	if c := s.child(name); c != nil {
		return c.done
	}
	return nil
}

// Running names the children whose goroutines have not returned, in
// reverse start order (the order Stop takes them in).
func (s *Supervisor) Running() []string {
	if !s.started.Load() {
		return nil
	}
	var names []string
	for i := len(s.children) - 1; i >= 0; i-- {
		select {
		case <-s.children[i].done:
		default:
			names = append(names, s.children[i].Name)
		}
	}
	return names
}

// Restarts is how often the named child has been restarted.
func (s *Supervisor) Restarts(name string) uint32 {
	if c := s.child(name); c != nil {
		return c.restarts.Load()
	}
	return 0
}

// Failures is a child's count of failures within the policy's period.
type Failures struct {
	Name string
	N    int
}

// RecentFailures lists, in start order, the children that failed within
// the policy's period before now, with their counts.
func (s *Supervisor) RecentFailures(now time.Time) []Failures {
	var out []Failures
	for _, c := range s.children {
		if n := c.recentFailures(now, s.cfg.Policy.Period); n > 0 {
			out = append(out, Failures{Name: c.Name, N: n})
		}
	}
	return out
}

func (s *Supervisor) child(name string) *child {
	for _, c := range s.children {
		if c.Name == name {
			return c
		}
	}
	return nil
}
