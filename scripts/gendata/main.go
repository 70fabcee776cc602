// Command gendata writes sample market data in the replay format
// (internal/replay/FORMAT.md) from the paper venue's simulated market: quotes
// and trades, the same bytes for the same flags. It makes testdata/sample.csv:
//
//	go run ./scripts/gendata -o testdata/sample.csv -seed 1 -events 30000 -symbols BTC-USD,ETH-USD,SOL-USD
//
// It never reads anything but its flags, so the data is reproducible.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/paper"
)

func main() {
	out := flag.String("o", "-", "file to write, - for standard output")
	seed := flag.Uint64("seed", 1, "seed of the simulated market")
	rows := flag.Int("events", 30_000, "rows to write")
	symbols := flag.String("symbols", "BTC-USD,ETH-USD,SOL-USD", "comma-separated symbols")
	start := flag.String("start", "2026-01-02T00:00:00Z", "time of the first row, RFC 3339")
	flag.Parse()
	if err := run(*out, *seed, *rows, *symbols, *start); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}

func run(out string, seed uint64, rows int, symbols, start string) error {
	t, err := time.Parse(time.RFC3339Nano, start)
	if err != nil {
		return err
	}
	if rows < 0 {
		return fmt.Errorf("-events %d is negative", rows)
	}
	cfg := paper.SimConfig{Seed: seed, Symbols: strings.Split(symbols, ","), Start: t.UTC()}
	if out == "-" {
		return generate(os.Stdout, cfg, rows)
	}
	return writeAtomically(out, func(w io.Writer) error { return generate(w, cfg, rows) })
}

// writeAtomically writes a temporary file beside path and renames it over
// path, so that an interrupted run never leaves half a sample behind.
func writeAtomically(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".gendata-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	w := bufio.NewWriterSize(f, 64<<10)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
