package coordinator

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/market"
)

// Do runs f on the loop's goroutine, between ticks, and waits for it: the
// way for others to touch what the loop owns (the risk guard's reset, say)
// without a lock on the hot path. It fails if ctx ends first, for example
// because the loop is stuck in a tick, and then f never runs: a command
// queued while the loop was stuck must not take effect after its caller was
// told it failed (a kill-switch reset that "failed", then resumed trading).
// The loop and the caller race for the command's state with one CAS each:
// the loop runs f only if it wins (pending -> running), the caller reports
// failure only if it wins (pending -> abandoned). Once f runs, Do waits for
// it whatever ctx says, so its answer is always the truth.
func (c *Coordinator) Do(ctx context.Context, f func()) error {
	cmd := &command{run: f, done: make(chan struct{})}
	select {
	case c.cmds <- cmd:
	case <-ctx.Done():
		return fmt.Errorf("the trading loop did not take the request: %w", ctx.Err())
	}
	select {
	case <-cmd.done:
	case <-ctx.Done():
		if cmd.state.CompareAndSwap(cmdPending, cmdAbandoned) {
			return fmt.Errorf("the trading loop did not run the request, and will not: %w", ctx.Err())
		}
		<-cmd.done // the loop took it first: it runs to the end, and so it happened
	}
	if !cmd.returned {
		return errors.New("the request panicked on the trading loop")
	}
	return nil
}

// command is a function queued for the loop, with the state that decides,
// once, whether it runs or is abandoned by its caller.
type command struct {
	run   func()
	state atomic.Int32
	done  chan struct{}
	// returned is false if run panicked; read after done is closed.
	returned bool
}

const (
	cmdPending int32 = iota
	cmdRunning
	cmdAbandoned
)

// exec runs cmd on the loop unless its caller has given up.
func (cmd *command) exec() {
	if !cmd.state.CompareAndSwap(cmdPending, cmdRunning) {
		return
	}
	defer close(cmd.done)
	cmd.run()
	cmd.returned = true
}

// Settle books what the venue reported since the last tick (a heartbeat:
// no market data, no decision), commits it and publishes the account, as
// a tick does: a fill booked here is in Stats' account too, not only in
// the store. Call it only when the loop is not running (after Run
// returned), as a stop that waits for a live venue's answers does.
func (c *Coordinator) Settle(ctx context.Context, now time.Time) error {
	hb := market.Event{Kind: market.EventHeartbeat, Time: now}
	c.OnEvent(&hb)
	err := c.Flush(ctx)
	c.publishSnapshot()
	return err
}

// CancelOpenOrders cancels every order resting at the venue, books the
// reports and commits them. Call it only when the loop is not running
// (after Run returned): it touches what the loop owns.
func (c *Coordinator) CancelOpenOrders(ctx context.Context, now time.Time) (int, error) {
	n := c.cfg.Venue.OpenTotal()
	c.reports = c.cfg.Venue.CancelAll(now, c.reports[:0])
	c.handle(c.reports)
	err := c.Flush(ctx)
	c.publishSnapshot()
	return n, err
}
