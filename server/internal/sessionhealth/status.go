// Package sessionhealth judges whether a session is doing useful work and
// distributes that judgement. It owns the status scale, the monitor loop that
// runs checks under a timeout, and the Hub that fans reports out to watchers.
// It must never touch trading state: checks only read what the trading loop
// publishes, so nothing here can delay a tick.
package sessionhealth

import "time"

// Status is ordered from best to worst, so the overall status of a report is
// the maximum of its components'.
type Status int

const (
	StatusUnspecified Status = iota
	// Idle: no session runs and the last one ended cleanly. Nothing to judge.
	StatusIdle
	StatusHealthy
	StatusDegraded
	StatusUnhealthy
)

func (s Status) String() string {
	switch s {
	case StatusIdle:
		return "IDLE"
	case StatusHealthy:
		return "HEALTHY"
	case StatusDegraded:
		return "DEGRADED"
	case StatusUnhealthy:
		return "UNHEALTHY"
	}
	return "UNSPECIFIED"
}

// Component is the judgement of one part of a session.
type Component struct {
	Name   string
	Status Status
	// Reason says why, for anything but healthy; empty when healthy.
	Reason string
	// LastProgress is when the component last did useful work (zero if it
	// never did or the notion does not apply).
	LastProgress time.Time
}

// Worst returns the first component with the worst status, and ok=false when
// there are none.
func Worst(cs []Component) (Component, bool) {
	var worst Component
	for i, c := range cs {
		if i == 0 || c.Status > worst.Status {
			worst = c
		}
	}
	return worst, len(cs) > 0
}

// Staleness judges freshness: the age of the last useful work against two
// thresholds.
type Staleness struct {
	DegradedAfter  time.Duration
	UnhealthyAfter time.Duration
}

// Judge returns the status for work last done at last (zero: never, in which
// case since is when waiting began).
func (s Staleness) Judge(now, last, since time.Time) (Status, time.Duration) {
	ref := last
	if ref.IsZero() {
		ref = since
	}
	age := now.Sub(ref)
	switch {
	case age > s.UnhealthyAfter:
		return StatusUnhealthy, age
	case age > s.DegradedAfter:
		return StatusDegraded, age
	}
	return StatusHealthy, age
}
