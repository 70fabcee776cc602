package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"
)

// runBacktest runs tradectl in-process: a backtest needs no daemon.
func runBacktest(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errOut e2e.SyncBuffer
	code = run(ctx, append([]string{"backtest"}, args...), &out, &errOut, nil)
	return code, out.String(), errOut.String()
}

// Ctrl-C (the command's context cancelled) ends a backtest with 130, the
// shell's code for SIGINT, and one line: not "invalid argument".
func TestBacktestInterruptedExits130(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	code, _, errOut := runBacktest(ctx, "--sim", "--sim-duration", "1000h")
	if code != 130 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// A CSV with a header and no events (or not even a header) is invalid
// input, in one line naming the file once.
func TestBacktestHeaderOnlyFails(t *testing.T) {
	for _, content := range []string{"time,symbol,type,price,size,side,bid,bid_size,ask,ask_size\n", ""} {
		file := filepath.Join(t.TempDir(), "empty.csv")
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runBacktest(t.Context(), "--data", file)
		if code != 5 || out != "" || strings.Count(errOut, "\n") != 1 || strings.Count(errOut, file) != 1 {
			t.Fatalf("%q: exit %d, stdout %q, stderr %q", content, code, out, errOut)
		}
	}
}

// Values that cannot be used are refused, naming what was given, not
// replaced by a default.
func TestBacktestRefusesNonPositivePeriods(t *testing.T) {
	for _, args := range [][]string{
		{"--sim", "--sample-every", "-1s"},
		{"--sim", "--sample-every", "0s"},
		{"--sim", "--sim-duration", "-1h"},
	} {
		code, out, errOut := runBacktest(t.Context(), args...)
		d, _ := time.ParseDuration(args[2])
		if code != 2 || out != "" || !strings.Contains(errOut, args[1]+" "+d.String()) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// The table says when a Sharpe ratio is not meaningful, and why.
func TestBacktestTableSharpe(t *testing.T) {
	code, out, errOut := runBacktest(t.Context(), "--data", "../../testdata/sample.csv")
	if code != 0 || !strings.Contains(out, "n/a (7 samples < 30, every 1m0s)") {
		t.Fatalf("exit %d, stderr %q, table:\n%s", code, errOut, out)
	}
}
