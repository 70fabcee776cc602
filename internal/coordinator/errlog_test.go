package coordinator

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
)

// fullDisk fails every commit while full is set.
type fullDisk struct{ full bool }

func (d *fullDisk) Commit(context.Context, *Tick) error {
	if d.full {
		return errors.New("disk full")
	}
	return nil
}

// lines records log lines as "LEVEL msg".
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Enabled(context.Context, slog.Level) bool { return true }
func (l *lines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "times" || a.Key == "failures" {
			line += " " + a.Key + "=" + a.Value.String()
		}
		return true
	})
	l.got = append(l.got, line)
	return nil
}
func (l *lines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *lines) WithGroup(string) slog.Handler      { return l }

// A store that fails every tick is logged once, then summarized with a
// count every errLogEvery, and once more when it works again: not a line
// per tick (a full disk at a 50ms tick wrote 468 lines in 20s).
func TestRepeatedStoreFailuresAreSummarized(t *testing.T) {
	venue, err := matching.New(matching.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	log := &lines{}
	disk := &fullDisk{full: true}
	c, err := New(Config{OrderPrefix: "s", TickInterval: 50 * time.Millisecond, Source: &script{evs: []market.Event{}},
		Venue: venue, Strategy: &planned{}, Portfolio: portfolio.New("USD", money.FromInt(10_000)),
		Risk: risk.New(risk.DefaultLimits(), money.FromInt(10_000)), Orders: orders.NewBook("s", 100),
		Journal: disk, Logger: slog.New(log), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const ticks = 1200 // 60s at 50ms
	for range ticks {
		_ = c.Flush(context.Background())
		now = now.Add(50 * time.Millisecond)
	}
	disk.full = false
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = c.Flush(context.Background()) // still fine: nothing more to say
	var loop []string
	for _, l := range log.got {
		if strings.Contains(l, "trading loop") {
			loop = append(loop, l)
		}
	}
	want := []string{
		"WARN trading loop error",
		"WARN trading loop error repeated times=600",
		"INFO trading loop recovered failures=1200",
	}
	if strings.Join(loop, "\n") != strings.Join(want, "\n") {
		t.Fatalf("log lines:\n%s\nwant:\n%s", strings.Join(loop, "\n"), strings.Join(want, "\n"))
	}
	if st := c.Stats(); st.StoreError == nil || !strings.Contains(st.StoreError.Err, "disk full") {
		t.Fatalf("health no longer sees the store error: %+v", st.StoreError)
	}
}
