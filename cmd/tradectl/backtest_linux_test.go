package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// Ctrl-C stops a backtest that waits for data from a pipe (tail -f into
// --data /dev/stdin), where no event comes to notice the cancellation.
func TestBacktestInterruptedWaitingForData(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "quotes")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// Read-write, so that opening does not wait for a reader, and the
	// backtest's read end never sees the end of the data.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runBacktest(ctx, "--data", fifo)
		done <- result{code, errOut}
	}()
	// The header, then one event: once the backtest has read the event it
	// is past its first look at the context and waits for the next.
	for _, line := range []string{"time,symbol,type,price,size,side,bid,bid_size,ask,ask_size\n",
		"2026-01-02T00:00:00Z,BTC-USD,quote,,,,59994,1.64,60006,0.46\n"} {
		if _, err := w.WriteString(line); err != nil {
			t.Fatal(err)
		}
		waitDrained(t, w)
	}
	cancel()
	select {
	case r := <-done:
		if r.code != 130 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "interrupted") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	case <-time.After(10 * time.Second):
		w.Close() // ends the data, so that the backtest returns before the test does
		<-done
		t.Fatal("Ctrl-C did not stop a backtest waiting for data")
	}
}

// waitDrained waits until the reader of the pipe w has read all of it.
func waitDrained(t *testing.T, w *os.File) {
	t.Helper()
	for {
		var n int32
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, w.Fd(), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
			t.Fatal(errno)
		}
		if n == 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
