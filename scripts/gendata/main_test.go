package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/replay"
)

var cfg = paper.SimConfig{Seed: 7, Symbols: []string{"BTC-USD", "DOGE-USD"}, Start: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}

func gen(t *testing.T, rows int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := generate(&buf, cfg, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReplayMatchesSim: replaying the file gives the Sim's events back, to
// the nanosecond and the unit: every trade with the touch it met, every book
// update's touch and sizes there, and a book event wherever a trade swept
// the touch away.
func TestReplayMatchesSim(t *testing.T) {
	const rows = 20_000
	data := gen(t, rows)
	if lines := bytes.Count(data, []byte("\n")); lines != rows+1 {
		t.Fatalf("%d lines, want a header and %d rows", lines, rows)
	}
	src, err := replay.Open(bytes.NewReader(data), replay.Options{Symbols: cfg.Symbols})
	if err != nil {
		t.Fatal(err)
	}
	sim, _ := paper.NewSim(cfg)
	ctx := context.Background()
	next := func() market.Event {
		ev, ok, err := src.Next(ctx, farFuture)
		if err != nil || !ok {
			t.Fatalf("replay: %v, %v", ok, err)
		}
		return ev
	}
	for n := 0; n < rows; {
		want, _, _ := sim.Next(ctx, farFuture)
		if want.Kind == market.EventTrade {
			got := next()
			n++
			if got.Kind != want.Kind || got.Symbol != want.Symbol || !got.Time.Equal(want.Time) ||
				got.Price != want.Price || got.Size != want.Size || got.Aggressor != want.Aggressor ||
				got.Bid != want.Bid || got.Ask != want.Ask {
				t.Fatalf("row %d: replayed %+v, simulated %+v", n, got, want)
			}
			if want.Book.Bids[0].Price == want.Bid && want.Book.Asks[0].Price == want.Ask || n == rows {
				continue
			}
		}
		got := next()
		n++
		top := market.Book{Bids: want.Book.Bids[:1], Asks: want.Book.Asks[:1]}
		if got.Kind != market.EventBook || got.Symbol != want.Symbol || !got.Time.Equal(want.Time) ||
			got.Book.Bids[0] != top.Bids[0] || got.Book.Asks[0] != top.Asks[0] ||
			got.Bid != top.Bids[0].Price || got.Ask != top.Asks[0].Price {
			t.Fatalf("row %d: replayed %+v %+v, simulated top %+v", n, got, *got.Book, top)
		}
	}
	if _, _, err := src.Next(ctx, farFuture); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last row: %v", err)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := gen(t, 5_000), gen(t, 5_000)
	if !bytes.Equal(a, b) {
		t.Fatal("the same flags wrote different files")
	}
	if !bytes.HasPrefix(gen(t, 10_000), a) {
		t.Fatal("a longer file does not start with the shorter one")
	}
}

func TestRunWritesAtomically(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sample.csv")
	if err := run(path, 7, 1_000, "BTC-USD,DOGE-USD", "2026-01-02T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, gen(t, 1_000)) {
		t.Fatalf("file differs from generate's output: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	for _, tt := range []struct{ symbols, start, want string }{
		{"NOPE-USD", "2026-01-02T00:00:00Z", "unknown symbol"},
		{"BTC-USD", "yesterday", "cannot parse"},
	} {
		if err := run(path, 1, 10, tt.symbols, tt.start); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%s, %s) = %v, want %q", tt.symbols, tt.start, err, tt.want)
		}
	}
	if err := run(path, 1, -1, "BTC-USD", "2026-01-02T00:00:00Z"); err == nil {
		t.Error("negative -events accepted")
	}
}
