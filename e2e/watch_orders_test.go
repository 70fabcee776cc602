package e2e

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// printedSequences parses watch-orders' JSON lines.
func printedSequences(t *testing.T, out string) []uint64 {
	t.Helper()
	var seqs []uint64
	for line := range strings.Lines(out) {
		var e tradingv1.OrderEvent
		if err := protojson.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("watch-orders printed %q: %v", line, err)
		}
		seqs = append(seqs, e.GetSequence())
	}
	return seqs
}

// tradectl watch-orders outlives a kill -9 of the daemon: it reconnects to
// the restarted daemon after the last event it printed, so it prints every
// event once and in order, those the crash kept from it included, then the
// resumed session's.
func TestWatchOrdersResumesAcrossKill9(t *testing.T) {
	d := startDaemon(t)
	var out, errOut harness.SyncBuffer
	w := d.CtlCommand("watch-orders", "-o", "json")
	w.Stdout, w.Stderr = &out, &errOut
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Process.Kill(); _ = w.Wait() }()
	harness.Eventually(t, 30*time.Second, "watch-orders up", func() bool { return strings.Contains(errOut.String(), "watching orders") })
	if _, e, code := d.Ctl(t, "start", "--paper", "--strategy", "grid", "--tick-interval", "10ms"); code != 0 {
		t.Fatalf("start: %s", e)
	}
	harness.Eventually(t, 30*time.Second, "20 events printed", func() bool { return strings.Count(out.String(), "\n") >= 20 })
	d.Kill(t)
	before := strings.Count(out.String(), "\n")

	d = harness.StartDaemon(t, bins, harness.Options{DataDir: d.DataDir, Args: []string{"--listen", d.Addr}})
	harness.Eventually(t, 30*time.Second, "watch-orders reconnected", func() bool {
		return strings.Contains(errOut.String(), "reconnected")
	})
	if _, e, code := d.Ctl(t, "start", "--resume"); code != 0 {
		t.Fatalf("start --resume: %s", e)
	}
	harness.Eventually(t, 30*time.Second, "the resumed session's events", func() bool {
		return strings.Count(out.String(), "\n") >= before+20
	})
	if _, e, code := d.Ctl(t, "stop"); code != 0 {
		t.Fatalf("stop: %s", e)
	}
	time.Sleep(time.Second) // the stop's cancellations
	seqs := printedSequences(t, out.String())
	for i, s := range seqs {
		if s != uint64(i+1) {
			t.Fatalf("event %d printed has sequence %d (the %d before the kill were 1..%d); stderr:\n%s",
				i+1, s, before, before, errOut.String())
		}
	}
}
