//go:build chaos

package chaos

import (
	"context"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// A storm of concurrent Start and Stop calls from many clients: at most one
// session at any moment (checked on the daemon's own log), no stuck state,
// no leaked goroutine, and a daemon that keeps serving.
func TestStartStopStorm(t *testing.T) {
	calls, clients := 1000, 50
	if short() {
		calls, clients = 200, 20
	}
	d, c := daemon(t, "")
	base := baseline(t, d, c)
	cs := make([]*client.Client, clients)
	for i := range cs {
		cs[i] = d.Client(t)
	}
	var wg sync.WaitGroup
	var starts, stops, refused atomic.Int64
	// In waves, so that the storm makes many sessions, not one: within a
	// wave the calls race each other; a wave starts once the last is done.
	waves := 10
	for i := range calls {
		if i > 0 && i%(calls/waves) == 0 {
			wg.Wait()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := cs[i%clients]
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if i%2 == 0 {
				// Two settings, so that some starts conflict.
				tick := 10 * time.Millisecond
				if i%4 == 0 {
					tick = 20 * time.Millisecond
				}
				if _, err := cl.StartTrading(ctx, settings(tick, time.Second, false)); err != nil {
					refused.Add(1)
				} else {
					starts.Add(1)
				}
			} else if _, err := cl.StopTrading(ctx, 10*time.Second); err == nil {
				stops.Add(1)
			} else {
				t.Errorf("stop: %v", err)
			}
		}()
	}
	wg.Wait()
	for _, cl := range cs {
		cl.Close() // their connections' goroutines are not the daemon's leak
	}
	t.Logf("%d calls from %d clients: %d starts answered, %d refused, %d stops", calls, clients, starts.Load(), refused.Load(), stops.Load())
	stop(t, c)
	checkOneSessionAtATime(t, d.Log.String())
	if st := status(t, c).GetSession().GetState(); st != stopped {
		t.Errorf("final state %v", st)
	}
	goroutinesSettle(t, d, base)
}

var (
	startRe = regexp.MustCompile(`time=(\S+) level=INFO msg="session starting" session=(\w+)`)
	endRe   = regexp.MustCompile(`time=(\S+) level=INFO msg="session ended" session=(\w+)`)
)

// checkOneSessionAtATime reads session start and end lines from the log
// and fails if any two sessions overlap.
func checkOneSessionAtATime(t *testing.T, log string) {
	t.Helper()
	type span struct{ id, start, end string }
	spans := map[string]*span{}
	for _, m := range startRe.FindAllStringSubmatch(log, -1) {
		spans[m[2]] = &span{id: m[2], start: m[1]}
	}
	for _, m := range endRe.FindAllStringSubmatch(log, -1) {
		if s, ok := spans[m[2]]; ok {
			s.end = m[1]
		} else {
			t.Errorf("session %s ended but never started", m[2])
		}
	}
	list := make([]*span, 0, len(spans))
	for _, s := range spans {
		if s.end == "" {
			t.Errorf("session %s never ended", s.id)
		}
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].start < list[j].start })
	for i := 1; i < len(list); i++ {
		if list[i].start < list[i-1].end {
			t.Errorf("sessions overlap: %s ran %s..%s, %s started %s", list[i-1].id, list[i-1].start, list[i-1].end, list[i].id, list[i].start)
		}
	}
	t.Logf("%d sessions, none overlapping", len(list))
}

// Watchers that never read must not slow the others or the daemon. The
// non-readers' flow-control windows are filled first (hundreds of reports
// from start/stop cycles), so their server-side sends are really blocked.
func TestWatchersThatNeverReadDoNotSlowOthers(t *testing.T) {
	d, c := daemon(t, "")
	base := baseline(t, d, c)
	conn, err := grpc.NewClient(d.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tok, err := readToken(d.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok))
	raw := tradingv1.NewTradingServiceClient(conn)
	for range 20 {
		if _, err := raw.WatchHealth(ctx, &tradingv1.WatchHealthRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	w := watch(t, c)
	cycles := 300
	if short() {
		cycles = 150
	}
	for range cycles {
		if _, err := raw.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: settings(time.Second, time.Second, false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(5 * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	s := start(t, c, settings(10*time.Millisecond, 200*time.Millisecond, false))
	harness.Eventually(t, 20*time.Second, "the reading watcher to see the last session's heartbeats", func() bool {
		return w.find(func(r *tradingv1.HealthReport) bool {
			return r.GetSessionId() == s.GetId() && r.GetTicks() > 50
		}) != nil
	})
	t.Logf("reading watcher received %d reports; 20 watchers never read", w.count())
	stop(t, c)
	w.close()
	cancel()
	// The watchers' connection is ours, not the daemon's to keep: close it
	// before counting, or its server-side goroutines count as leaked.
	conn.Close()
	goroutinesSettle(t, d, base)
}

// SIGTERM while a stop is waiting on a stuck tick: the daemon still exits
// 0, within the stop and shutdown timeouts, with the session ended.
func TestSigtermDuringStop(t *testing.T) {
	d, c := daemon(t, "tick:block@5/3s", "--stop-timeout", "10s")
	start(t, c, settings(50*time.Millisecond, time.Second, false))
	harness.Eventually(t, 20*time.Second, "four ticks", func() bool {
		return status(t, c).GetSession().GetSummary().GetTicks() == 4
	})
	time.Sleep(200 * time.Millisecond) // the 5th tick (every 50ms) has begun and blocks
	if n := status(t, c).GetSession().GetSummary().GetTicks(); n != 4 {
		t.Fatalf("ticks = %d: the 5th tick did not block", n)
	}
	stopDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := c.StopTrading(ctx, 10*time.Second)
		stopDone <- err
	}()
	harness.Eventually(t, 10*time.Second, "the stop to begin", func() bool {
		return status(t, c).GetSession().GetState() == tradingv1.SessionState_SESSION_STATE_STOPPING
	})
	took := d.Terminate(t)
	t.Logf("tradingd exited %s after SIGTERM during a stop", took.Round(time.Millisecond))
	if took > 20*time.Second {
		t.Errorf("exit took %s", took)
	}
	if err := <-stopDone; err != nil {
		t.Logf("the stop call ended with %v (the daemon went away)", err)
	}
	if n := d.Log.Count(`msg="session ended"`); n != 1 {
		t.Errorf("%d session ended lines", n)
	}
}

func readToken(path string) (string, error) {
	b, err := osReadFile(path)
	return string(trimSpace(b)), err
}

var _ = grpc.NewClient
