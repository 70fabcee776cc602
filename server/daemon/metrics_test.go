package daemon

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/session"
)

func TestMetricsShowTheSession(t *testing.T) {
	mlis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := New(Config{Listener: lis, MetricsListener: mlis, Token: Token{digest: digest(testToken)},
		Session: session.Options{HealthInterval: 300 * time.Second}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	if _, _, err := d.Manager.Start(session.Settings{Mode: session.ModePaper, TickInterval: 10 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	scrape := func() string {
		resp, err := http.Get("http://" + mlis.Addr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	value := func(body, name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s in /metrics", name)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	w, err := d.Manager.SubscribeOrders(0, true)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	eventually(t, "ticks in /metrics", func() bool { return value(scrape(), "tradectl_session_ticks_total") >= 5 })
	body := scrape()
	if v := value(body, "tradectl_session_state"); v != float64(session.StateRunning) {
		t.Errorf("state = %v", v)
	}
	// Read live: with a 300 s heartbeat the last report is old, the last tick is not.
	if v := value(body, "tradectl_session_last_tick_age_seconds"); v > 5 {
		t.Errorf("last tick age = %v s while ticking every 10ms", v)
	}
	if v := value(body, "tradectl_session_order_watchers"); v != 1 {
		t.Errorf("order watchers = %v, want 1", v)
	}
	if value(body, "go_goroutines") <= 0 {
		t.Error("no goroutines reported")
	}
}
