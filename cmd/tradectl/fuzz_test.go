package main

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"
)

// FuzzCLIArgs runs tradectl on arbitrary argument vectors against the fake
// daemon: whatever the arguments, no panic, an exit code from the table
// that the help documents, and on failure stderr opens with "tradectl: ".
// An input holding a NUL is split on NULs, so that an argument may hold
// spaces or be empty; any other is split on white space.
func FuzzCLIArgs(f *testing.F) {
	for _, s := range []string{
		"", "--help", "help start", "status", "-o json status", "-o yaml status", "status now", "nope",
		"start --paper --symbols BTC-USD,ETH-USD --duration 10m --tick-interval 10ms --seed 7",
		"start\x00--paper\x00--param\x00fast=5\x00--param\x00slow = 20\x00--max-drawdown\x000.1",
		"start --paper --param fast --param fast=1", "start --paper --maker-fee-bps -1 --latency 1s",
		"start --resume --paper --seed 3", "start", "stop --deadline 0s", "stop --deadline 1m --keep-open-orders",
		"watch-health", "watch-orders", "-o json watch-health", "strategies", "orders --limit -1",
		"orders --session feed --open", "portfolio --session 0123456789abcdef", "sessions --limit 3", "fills",
		"kill-switch reset --reason test", "kill-switch reset", "kill-switch status", "backup", "backup\x00",
		"backup relative/file.db", "--timeout 1ns status", "--timeout -1s status",
		"backtest --data ../../testdata/sample.csv --strategy sma --param fast=10 --param slow=30",
		"backtest --sim --sim-duration 1m --symbols BTC-USD,ETH-USD --strategy grid -o json",
		"backtest --sim --data x", "backtest --sim --sim-duration -1h --sample-every 0s",
		"completion bash", "__complete start --", "start --symbols=",
	} {
		f.Add(s)
	}
	h := &harness{fake: &fakeDaemon{}, tokenFile: filepath.Join(f.TempDir(), "token")}
	if err := os.WriteFile(h.tokenFile, []byte("tok\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	h.start()
	f.Cleanup(h.stop)
	codes := map[int]bool{exitOK: true, exitError: true}
	for _, row := range exitCodes {
		codes[row.code] = true
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := splitArgs(line)
		if !hermetic(args) {
			t.Skip("names another daemon or a file that is not a regular file")
		}
		// Watches run until cancelled: a short deadline ends them.
		ctx, cancel := context.WithTimeout(t.Context(), 250*time.Millisecond)
		defer cancel()
		var out, errOut e2e.SyncBuffer
		code := h.exec(ctx, &out, &errOut, args...)
		stderr := errOut.String()
		if !codes[code] {
			t.Fatalf("tradectl %q: exit %d is not in the table %v", args, code, slices.Sorted(maps.Keys(codes)))
		}
		if code != exitOK && !strings.HasPrefix(stderr, "tradectl: ") {
			t.Fatalf("tradectl %q: exit %d with stderr %q", args, code, stderr)
		}
	})
}

func splitArgs(line string) []string {
	if strings.Contains(line, "\x00") {
		return strings.Split(line, "\x00")
	}
	return strings.Fields(line)
}

// hermetic keeps a fuzz input on this process and the fake daemon: no
// --addr (a name to resolve), and no argument naming a device, pipe or the
// like, which --token-file or --data would read without end.
func hermetic(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "--addr") {
			return false
		}
		for _, p := range []string{a, a[strings.Index(a, "=")+1:]} {
			if fi, err := os.Stat(p); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
				return false
			}
		}
	}
	return true
}

// FuzzParseParams: parseParams accepts exactly the lists of NAME=VALUE
// with distinct, non-blank names, keeps each value as written (name
// trimmed), and its errors name the flag. The input's NULs separate the
// repeated flags.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{
		"", "fast=5", "fast=5\x00slow=20", " fast =5", "fast=", "=5", " =5", "fast", "fast=1\x00fast=2",
		"fast=1\x00 fast=2", "a=b=c", "k=v,w", "\x00", "x=\x00", "é=ü\t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var kvs []string
		if s != "" {
			kvs = strings.Split(s, "\x00")
		}
		m, err := parseParams(kvs)
		if err != nil {
			if m != nil || !strings.HasPrefix(err.Error(), "--param ") {
				t.Fatalf("parseParams(%q) = %v, %v", kvs, m, err)
			}
		}
		want, wantOK := map[string]string{}, true
		for _, kv := range kvs {
			k, v, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if _, dup := want[k]; !ok || k == "" || dup {
				wantOK = false
				break
			}
			want[k] = v
		}
		switch {
		case (err == nil) != wantOK:
			t.Fatalf("parseParams(%q) = %v, %v; want ok=%v", kvs, m, err, wantOK)
		case err == nil && len(kvs) == 0 && m != nil:
			t.Fatalf("parseParams(nil) = %v; want nil (nothing to send)", m)
		case err == nil && len(kvs) > 0 && !maps.Equal(m, want):
			t.Fatalf("parseParams(%q) = %v; want %v", kvs, m, want)
		}
	})
}
