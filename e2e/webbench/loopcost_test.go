package webbench

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/testpki"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// envOr reads a benchmark knob from the environment.
func envOr[T any](b *testing.B, name string, def T, parse func(string) (T, error)) T {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return x
}

// BenchmarkDashboardLoopCost measures what open dashboards cost a real
// tradingd while a paper grid trades two symbols at a 100 ms tick: the
// same daemon over the same window with none open, then with 100
// (DASHBOARD_BENCH_N) emulated ones (see dashboard), each window 20 s
// (DASHBOARD_BENCH_WINDOW). Per arm: the daemon's CPU (utime+stime from
// /proc, in ms of CPU per second), its RSS at the end, the loop's ticks a
// second (tradectl_session_ticks_total; 10 when it keeps up) and the age
// of its last tick sampled every 250 ms (p99, max; up to the 100 ms
// interval when on time, more when the loop lags). The memory a dashboard
// costs is the RSS and Go heap growth from just before they open to just
// after each has its first report and calls answered, divided by their
// number (the session's own growth over the windows is not in it). The daemon serves TLS,
// so each dashboard holds one HTTP/2 connection, as a browser does: over
// plaintext HTTP/1.1 each would hold three, and the dashboard's listener
// takes 256 connections in all (web.MaxConns), which is 85 dashboards.
// DASHBOARD_BENCH_PLAINTEXT=1 measures that case (plaintext, HTTP/1.1,
// three connections a dashboard). Run it with -benchtime 1x.
func BenchmarkDashboardLoopCost(b *testing.B) {
	n := envOr(b, "DASHBOARD_BENCH_N", 100, strconv.Atoi)
	window := envOr(b, "DASHBOARD_BENCH_WINDOW", 20*time.Second, time.ParseDuration)
	plain := envOr(b, "DASHBOARD_BENCH_PLAINTEXT", false, strconv.ParseBool)

	ca, err := testpki.NewCA("webbench CA")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := ca.Server()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	caFile, err := ca.WriteCA(dir, "ca")
	if err != nil {
		b.Fatal(err)
	}
	certFile, keyFile, err := srv.Write(dir, "server")
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	args, copts, scheme := []string{"--tls-cert", certFile, "--tls-key", keyFile},
		[]client.Option{client.WithTLS(caFile, "", "", "")}, "https://"
	if plain {
		args, copts, scheme, pool = nil, nil, "http://", nil
	}

	d := harness.StartDaemon(b, built.Get(b), harness.Options{Metrics: true, HTTP: "127.0.0.1:0", Args: args})
	defer d.Terminate(b)
	ctl, err := client.New(d.Addr, append(copts, client.WithTokenFile(d.TokenFile()))...)
	if err != nil {
		b.Fatal(err)
	}
	defer ctl.Close()
	if _, err := ctl.StartTrading(b.Context(), &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER,
		Strategy: "grid", Symbols: []string{"BTC-USD", "ETH-USD"}, TickInterval: durationpb.New(100 * time.Millisecond)}); err != nil {
		b.Fatal(err)
	}
	base := scheme + d.HTTPAddr
	lc := newDashboardClient(n, pool) // one more address, for the login only
	ck := login(b, lc, base, token(b, d))
	lc.CloseIdleConnections()
	time.Sleep(3 * time.Second) // past the start's burst

	for b.Loop() {
		idle := measure(b, d, window)

		rss0, heap0 := memory(b, d)
		st := &dashStats{}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		clients := make([]*http.Client, n)
		for i := range n {
			clients[i] = newDashboardClient(i, pool)
			(&dashboard{c: clients[i], base: base, cookie: ck.Name + "=" + ck.Value, st: st}).run(ctx, &wg)
		}
		// Every dashboard has its first health report (sent on
		// subscribing) and made its first calls before measuring.
		harness.Eventually(b, 30*time.Second, "every dashboard's first report and calls", func() bool {
			return st.health.Load() >= int64(n) && st.calls.Load() >= int64(2*n) || st.errs.Load() > 0
		})
		rss1, heap1 := memory(b, d)
		h0, o0, c0 := st.health.Load(), st.orders.Load(), st.calls.Load()
		busy := measure(b, d, window)
		h1, o1, c1 := st.health.Load(), st.orders.Load(), st.calls.Load()
		cancel()
		wg.Wait()
		for _, c := range clients {
			c.CloseIdleConnections()
		}
		if err := st.err(); err != nil {
			b.Fatalf("%d dashboard failures, the first: %v", st.errs.Load(), err)
		}
		if st.http1.Load() != 0 && !plain {
			b.Fatalf("%d answers not over HTTP/2: dashboards would hold more connections than measured", st.http1.Load())
		}
		if o1 == o0 {
			b.Fatal("no order event reached the dashboards while measuring: the grid traded nothing?")
		}
		per := func(x int64) float64 { return float64(x) / float64(n) / window.Seconds() }
		b.ReportMetric(idle.cpu, "idle-cpu-ms/s")
		b.ReportMetric(busy.cpu, "dash-cpu-ms/s")
		b.ReportMetric((busy.cpu-idle.cpu)/float64(n), "cpu-ms/s/dashboard")
		b.ReportMetric(float64(idle.rss)/(1<<20), "idle-rss-MiB")
		b.ReportMetric(float64(busy.rss)/(1<<20), "dash-rss-MiB")
		b.ReportMetric(float64(rss1-rss0)/float64(n)/1024, "rss-KiB/dashboard")
		b.ReportMetric(float64(heap1-heap0)/float64(n)/1024, "heap-KiB/dashboard")
		b.ReportMetric(idle.ticks, "idle-ticks/s")
		b.ReportMetric(busy.ticks, "dash-ticks/s")
		b.ReportMetric(harness.Ms(idle.agep99), "idle-tick-age-p99-ms")
		b.ReportMetric(harness.Ms(busy.agep99), "dash-tick-age-p99-ms")
		b.ReportMetric(harness.Ms(idle.agemax), "idle-tick-age-max-ms")
		b.ReportMetric(harness.Ms(busy.agemax), "dash-tick-age-max-ms")
		b.ReportMetric(per(h1-h0), "health-msgs/s/dashboard")
		b.ReportMetric(per(o1-o0), "order-events/s/dashboard")
		b.ReportMetric(per(c1-c0), "calls/s/dashboard")
	}
}

// arm is one window's figures.
type arm struct {
	cpu            float64 // ms of CPU per second
	rss            int64
	ticks          float64 // per second
	agep99, agemax time.Duration
}

// measure watches the daemon for window.
func measure(b *testing.B, d *harness.Daemon, window time.Duration) arm {
	metric := func(name string) float64 {
		v, err := d.Metric(name)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	cpu0, ticks0, t0 := cpuTime(b, d.PID()), metric("tradectl_session_ticks_total"), time.Now()
	var ages []time.Duration
	for time.Since(t0) < window {
		time.Sleep(250 * time.Millisecond)
		ages = append(ages, time.Duration(metric("tradectl_session_last_tick_age_seconds")*float64(time.Second)))
	}
	cpu1, ticks1, el := cpuTime(b, d.PID()), metric("tradectl_session_ticks_total"), time.Since(t0)
	rss, err := d.RSS()
	if err != nil {
		b.Fatal(err)
	}
	return arm{cpu: float64((cpu1 - cpu0).Milliseconds()) / el.Seconds(), rss: rss,
		ticks: (ticks1 - ticks0) / el.Seconds(), agep99: harness.Pct(ages, 0.99), agemax: harness.Pct(ages, 1)}
}

// cpuTime is the CPU time process pid has used (user and system), from
// /proc/PID/stat's utime and stime, in clock ticks of 10 ms (USER_HZ is
// 100 on every Linux architecture Go supports).
func cpuTime(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %q", pid, s)
	}
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func memory(b *testing.B, d *harness.Daemon) (rss, heap int64) {
	r, err := d.RSS()
	if err != nil {
		b.Fatal(err)
	}
	h, err := d.Metric("go_memstats_heap_inuse_bytes")
	if err != nil {
		b.Fatal(fmt.Errorf("heap: %w", err))
	}
	return r, int64(h)
}
