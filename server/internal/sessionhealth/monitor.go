package sessionhealth

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/tradectl/tradectl/server/internal/errorid"
)

// Check judges one component. Run should honour ctx; the monitor stops
// waiting for it after the check timeout either way, so a stuck check costs
// one goroutine and an UNHEALTHY component, never a frozen monitor.
type Check struct {
	Name string
	Run  func(ctx context.Context, now time.Time) Component
}

// MonitorConfig configures a Monitor.
type MonitorConfig struct {
	// Interval is the period of the heartbeat report.
	Interval time.Duration
	// EvalEvery is how often the checks run between heartbeats, so that a
	// change of status is published at once rather than at the next
	// heartbeat. Values of Interval or more mean: only at heartbeats.
	EvalEvery time.Duration
	// CheckTimeout bounds the wait for the checks of one evaluation.
	CheckTimeout time.Duration
	Checks       []Check
	// Publish receives each report's components on the monitor's goroutine;
	// heartbeat is true for the periodic report. It must not block.
	Publish func(components []Component, heartbeat bool)
	Now     func() time.Time
	// Logger receives what must not reach clients: a panicking check's
	// stack, under the error id its reason quotes. Optional.
	Logger *slog.Logger
}

// Monitor runs checks on a schedule and publishes their results. Run may be
// called again after it returns (a supervisor restarts it); checks still in
// flight from an earlier run are not started twice.
type Monitor struct {
	cfg MonitorConfig

	mu       sync.Mutex
	inflight map[string]*flight
	last     []Component
	kick     chan struct{}
}

type flight struct {
	since  time.Time
	result chan Component
	cancel context.CancelFunc
	done   chan struct{} // closed when the check's goroutine has returned
}

// NewMonitor validates cfg and returns a monitor ready to Run.
func NewMonitor(cfg MonitorConfig) (*Monitor, error) {
	if cfg.Interval <= 0 || cfg.CheckTimeout <= 0 || cfg.Publish == nil {
		return nil, fmt.Errorf("health: monitor needs a positive interval and check timeout and a publish func")
	}
	if cfg.EvalEvery <= 0 || cfg.EvalEvery > cfg.Interval {
		cfg.EvalEvery = cfg.Interval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Monitor{cfg: cfg, inflight: make(map[string]*flight), kick: make(chan struct{}, 1)}, nil
}

// Run publishes a report at once, then one per Interval and one whenever a
// component's status changes, until ctx is done.
func (m *Monitor) Run(ctx context.Context) error {
	m.publish(ctx, true, true)
	heartbeat := time.NewTicker(m.cfg.Interval)
	defer heartbeat.Stop()
	var eval <-chan time.Time
	if m.cfg.EvalEvery < m.cfg.Interval {
		t := time.NewTicker(m.cfg.EvalEvery)
		defer t.Stop()
		eval = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-heartbeat.C:
			m.publish(ctx, true, true)
		case <-eval:
			m.publish(ctx, false, false)
		case <-m.kick:
			m.publish(ctx, true, false)
		}
	}
}

// Kick asks for an evaluation and a report now, out of schedule: the
// supervisor kicks on a failure or a restart, whose news should not wait for
// the next heartbeat. It never blocks; kicks while one is pending merge.
func (m *Monitor) Kick() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// Last returns the components of the latest evaluation, published or not.
func (m *Monitor) Last() []Component {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// publish evaluates and, when forced or on a change of any status, hands
// the components on. An evaluation cut short by ctx (the monitor is
// stopping) publishes nothing.
func (m *Monitor) publish(ctx context.Context, force, heartbeat bool) {
	comps := m.Evaluate(ctx)
	if comps == nil {
		return
	}
	m.mu.Lock()
	changed := !sameStatuses(m.last, comps)
	m.last = comps
	m.mu.Unlock()
	if force || changed {
		m.cfg.Publish(comps, heartbeat)
	}
}

// Evaluate runs every check concurrently and waits for them at most the
// check timeout. A check that has not returned is reported UNHEALTHY and is
// not started again until it does. It returns nil if ctx ends before every
// check has answered or timed out: a check the monitor stopped waiting for
// because it was itself stopping has not failed, and reporting it UNHEALTHY
// ("did not return within 1s (running for 0s)") would be false.
func (m *Monitor) Evaluate(ctx context.Context) []Component {
	now := m.cfg.Now()
	deadline := time.NewTimer(m.cfg.CheckTimeout)
	defer deadline.Stop()
	flights := make([]*flight, len(m.cfg.Checks))
	for i, c := range m.cfg.Checks {
		flights[i] = m.start(ctx, c, now)
	}
	out := make([]Component, len(m.cfg.Checks))
	expired := false
	for i, c := range m.cfg.Checks {
		f := flights[i]
		var res Component
		var ok bool
		if !expired {
			select {
			case res, ok = <-f.result:
			case <-deadline.C:
				expired = true
			case <-ctx.Done():
				return nil
			}
		}
		if !ok && expired {
			select {
			case res, ok = <-f.result:
			default:
			}
		}
		if ok {
			m.finish(c.Name, f)
			out[i] = res
			continue
		}
		out[i] = Component{
			Name:   c.Name,
			Status: StatusUnhealthy,
			Reason: fmt.Sprintf("check did not return within %s (running for %s)", m.cfg.CheckTimeout, m.cfg.Now().Sub(f.since).Round(time.Millisecond)),
		}
	}
	if ctx.Err() != nil {
		return nil // checks that honoured ctx answered for a stop, not for the component
	}
	return out
}

// start launches c unless an earlier run of it is still in flight, in which
// case that flight is returned so its result, if any, is used.
func (m *Monitor) start(ctx context.Context, c Check, now time.Time) *flight {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.inflight[c.Name]; ok {
		return f
	}
	cctx, cancel := context.WithTimeout(ctx, m.cfg.CheckTimeout)
	f := &flight{since: now, result: make(chan Component, 1), cancel: cancel, done: make(chan struct{})}
	m.inflight[c.Name] = f
	go func() {
		defer close(f.done)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				// The stack goes to the log only: the reason reaches
				// every GetStatus and WatchHealth client.
				id := errorid.New()
				m.cfg.Logger.Error("health check panicked", "error_id", id, "check", c.Name,
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				f.result <- Component{Name: c.Name, Status: StatusUnhealthy,
					Reason: fmt.Sprintf("check panicked: %s (error id %s; the daemon's log has the details)", firstLine(fmt.Sprint(r)), id)}
			}
		}()
		comp := c.Run(cctx, now)
		comp.Name = c.Name
		f.result <- comp
	}()
	return f
}

func (m *Monitor) finish(name string, f *flight) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inflight[name] == f {
		delete(m.inflight, name)
	}
}

// Stuck names the checks still running, for a supervisor that must report
// goroutines it could not stop.
func (m *Monitor) Stuck() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for _, c := range m.cfg.Checks {
		if _, ok := m.inflight[c.Name]; ok {
			names = append(names, c.Name)
		}
	}
	return names
}

// Close cancels every check in flight and waits for them up to timeout. It
// returns false if some are still running: they ignored their context.
func (m *Monitor) Close(timeout time.Duration) bool {
	m.mu.Lock()
	flights := make([]*flight, 0, len(m.inflight))
	for _, f := range m.inflight {
		f.cancel()
		flights = append(flights, f)
	}
	m.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	for _, f := range flights {
		select {
		case <-f.done:
		case <-t.C:
			return false
		}
	}
	return true
}

func sameStatuses(a, b []Component) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Status != b[i].Status {
			return false
		}
	}
	return true
}

// firstLine keeps a reason to one line.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
