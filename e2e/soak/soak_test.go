// Package soak runs a busy grid against the real tradingd for a long time
// and measures what it costs to keep: the store's growth and the daemon's
// resident memory. `make soak` runs it for an hour (SOAK_DURATION=1h),
// `make soak-short` for three minutes (store growth only: too short to
// judge RSS); `go test ./...` skips it.
package soak

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	_ "modernc.org/sqlite" // to read the store's size in pages

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

type sample struct {
	at                            time.Duration
	rss, store, disk              int64 // store: bytes in use; disk: db, WAL and shm files
	orders, fills, refused, ticks uint64
	health                        string // the risk component's status
}

// TestGridSoak trades a grid on three symbols at a 10 ms tick, tight enough
// (10 levels 2 bps apart, re-centered after one level of drift) to hammer
// the default limit of 50 orders a second, and checks the goals of
// BENCHMARKS.md: resident memory flat after warm-up, and a store that grows
// with the orders sent and the fills, not with the refusals.
func TestGridSoak(t *testing.T) {
	d := os.Getenv("SOAK_DURATION")
	if d == "" {
		t.Skip("set SOAK_DURATION (make soak, make soak-short)")
	}
	total, err := time.ParseDuration(d)
	if err != nil || total < time.Minute {
		t.Fatalf("SOAK_DURATION=%q: want a duration of at least 1m", d)
	}
	bins := t.TempDir()
	if err := harness.Build(bins); err != nil { // no -race: these are figures
		t.Fatal(err)
	}
	dm := harness.StartDaemon(t, bins, harness.Options{})
	c := dm.Client(t)
	ctx := context.Background()
	if _, err := c.StartTrading(ctx, &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER,
		Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD"}, TickInterval: durationpb.New(10 * time.Millisecond),
		Strategy: "grid", Params: map[string]string{"levels": "10", "spacing_bps": "2", "recenter_levels": "1"}}); err != nil {
		t.Fatal(err)
	}
	every := max(total/60, 5*time.Second)
	// Warm-up: the session remembers its last 10,000 finished orders for
	// queries, which at 50 orders a second takes over 3 minutes to fill,
	// and SQLite's page cache grows with the file. A run shorter than
	// judgeRSSFrom cannot see past that, so it reports RSS without judging.
	const judgeRSSFrom = 10 * time.Minute
	warm := max(total/5, 5*time.Minute)
	if total < judgeRSSFrom {
		warm = total / 2
	}
	began := time.Now()
	var all []sample
	for time.Since(began) < total {
		time.Sleep(every)
		all = append(all, measure(t, dm, c, time.Since(began)))
	}
	if _, err := c.StopTrading(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var after []sample
	for _, s := range all {
		if s.at >= warm {
			after = append(after, s)
		}
	}
	if len(after) < 4 {
		t.Fatalf("only %d samples after the warm-up", len(after))
	}
	first, last := after[0], after[len(after)-1]
	hours := (last.at - first.at).Hours()
	rssSlope := slope(after, func(s sample) float64 { return float64(s.rss) }) // bytes an hour
	storeRate := float64(last.store-first.store) / hours
	kept := (last.orders - first.orders) + (last.fills - first.fills)
	refused := last.refused - first.refused
	perKept := float64(last.store-first.store) / float64(max(kept, 1))
	var b strings.Builder
	fmt.Fprintf(&b, "%8s %9s %10s %10s %9s %9s %10s %9s  %s\n", "t", "rss MiB", "store KiB", "disk KiB", "orders", "fills",
		"refused", "ticks", "risk")
	for _, s := range all {
		fmt.Fprintf(&b, "%8s %9.1f %10d %10d %9d %9d %10d %9d  %s\n", s.at.Round(time.Second), mib(s.rss), s.store>>10,
			s.disk>>10, s.orders, s.fills, s.refused, s.ticks, s.health)
	}
	t.Logf("soak of %s, warm-up %s:\n%s", total, warm, b.String())
	t.Logf("after warm-up: RSS %.1f -> %.1f MiB, slope %+.2f MiB/h; store +%.1f MiB/h; %d orders and fills kept (%.0f B each), %d refusals (%.0f/s)",
		mib(first.rss), mib(last.rss), rssSlope/(1<<20), storeRate/(1<<20), kept, perKept, refused,
		float64(refused)/(last.at-first.at).Seconds())
	// Goals. RSS flat: what it grows after the warm-up, projected over an
	// hour, stays within a quarter of the warm RSS (GC and SQLite's page
	// cache breathe; a leak of a refusal's size per refusal does not fit).
	if total >= judgeRSSFrom && rssSlope > 0.25*float64(first.rss) {
		t.Errorf("RSS grows %.1f MiB/h after the warm-up (warm RSS %.1f MiB)", rssSlope/(1<<20), mib(first.rss))
	}
	// The store grows with what it must keep: the orders the limit lets
	// through (at most 50 a second) and the fills, at a generous 1 KiB
	// each (an order, its history rows, a fill, the venue's rows). A row
	// per refusal, at several hundred refusals a second, does not fit.
	fillsPerSec := float64(last.fills-first.fills) / (last.at - first.at).Seconds()
	if budget := (50 + fillsPerSec) * 1024 * 3600; storeRate > budget {
		t.Errorf("the store grew %.1f MiB/h, over the %.1f MiB/h that 50 orders a second and %.1f fills a second explain (%d refusals)",
			storeRate/(1<<20), budget/(1<<20), fillsPerSec, refused)
	}
}

func measure(t *testing.T, d *harness.Daemon, c *client.Client, at time.Duration) sample {
	t.Helper()
	rss, err := d.RSS()
	if err != nil {
		t.Fatal(err)
	}
	var disk int64
	for _, f := range []string{"tradectl.db", "tradectl.db-wal", "tradectl.db-shm"} {
		if fi, err := os.Stat(filepath.Join(d.DataDir, f)); err == nil {
			disk += fi.Size()
		}
	}
	used := bytesInUse(t, filepath.Join(d.DataDir, "tradectl.db"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := c.GetStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := st.GetSession().GetSummary()
	risk := "-"
	for _, c := range st.GetHealth().GetComponents() {
		if c.GetName() == "risk" {
			risk = strings.TrimPrefix(c.GetStatus().String(), "HEALTH_STATUS_")
			if c.GetReason() != "" {
				risk += ": " + c.GetReason()
			}
		}
	}
	return sample{at: at, rss: rss, store: used, disk: disk, orders: sum.GetOrders(), fills: sum.GetFills(),
		refused: sum.GetRisk().GetRejectedOrders(), ticks: sum.GetTicks(), health: risk}
}

// bytesInUse is the store's logical size: the pages in use, committed
// ones still in the WAL included. The files' sizes move in steps (the WAL
// fills before a checkpoint, the database grows by what it copies), too
// coarse for a rate over a few minutes. The connection is opened and closed
// at once, so that it never holds back a checkpoint.
func bytesInUse(t *testing.T, path string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pages, free, size int64
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := db.QueryRow(q).Scan(v); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return (pages - free) * size
}

// slope is the least-squares slope of f over the samples, per hour.
func slope(ss []sample, f func(sample) float64) float64 {
	var n, sx, sy, sxx, sxy float64
	for _, s := range ss {
		x, y := s.at.Hours(), f(s)
		n++
		sx, sy, sxx, sxy = sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
