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

	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/session"
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
	d := New(Config{Listener: lis, MetricsListener: mlis, Token: security.NewToken(testToken),
		HealthInterval: 300 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	if _, _, err := d.Manager.Start(settings.Settings{Mode: settings.ModePaper, TickInterval: 10 * time.Millisecond}); err != nil {
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

// The metrics server shares the daemon's file descriptors: sockets held
// open past its per-peer cap are closed at once, while a scrape from
// another peer still answers, and the refusals of the gRPC listener are
// counted.
func TestMetricsConnectionsAreCapped(t *testing.T) {
	mlis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := New(Config{Listener: lis, MetricsListener: mlis, Token: security.NewToken(testToken),
		HealthInterval: 300 * time.Second, Limits: Limits{MaxConnsPerPeer: 1}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var held []net.Conn
	// Closed before the daemon stops, which would otherwise wait for them.
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	dial := func(from, addr string) net.Conn {
		c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		return c
	}
	for range metricsMaxConnsPerPeer {
		dial("127.0.0.2", mlis.Addr().String())
	}
	// Past the cap: the daemon closes it without an answer.
	c := dial("127.0.0.2", mlis.Addr().String())
	_, _ = io.WriteString(c, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if b, err := io.ReadAll(c); len(b) > 0 {
		t.Fatalf("a socket past the per-peer cap was answered (%v): %.40q", err, b)
	}
	// A gRPC connection past --max-conns-per-peer is counted.
	for range 2 {
		dial("127.0.0.3", lis.Addr().String())
	}
	mc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.4")}}).DialContext}}
	eventually(t, "the refusal in /metrics", func() bool {
		resp, err := mc.Get("http://" + mlis.Addr().String() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return regexp.MustCompile(`(?m)^tradectl_grpc_connections_refused_total 1$`).Match(b)
	})
}
