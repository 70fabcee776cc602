// Package latch provides a one-shot event: a flag that is fired once, can be
// read without a lock, and can be waited on through a channel. It replaces
// "closed bool under a mutex" flags, whose readers must take the mutex and
// cannot select on the change. Modelled on grpc-go's internal grpcsync.Event.
//
// It owns nothing but the flag; it must never call back into its user.
package latch

import (
	"sync"
	"sync/atomic"
)

// Latch is fired at most once. The zero value is not ready: use New.
type Latch struct {
	fired atomic.Bool
	c     chan struct{}
	o     sync.Once
}

// New returns a latch that has not fired.
func New() *Latch { return &Latch{c: make(chan struct{})} }

// Fire fires the latch. It reports whether this call fired it: exactly one
// caller sees true, however many race.
func (l *Latch) Fire() bool {
	first := false
	l.o.Do(func() {
		l.fired.Store(true)
		close(l.c)
		first = true
	})
	return first
}

// Fired reports whether Fire has been called.
func (l *Latch) Fired() bool { return l.fired.Load() }

// Done is closed when the latch fires.
func (l *Latch) Done() <-chan struct{} { return l.c }
