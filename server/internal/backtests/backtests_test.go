package backtests

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tradectl/tradectl/internal/settings"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// long runs for seconds: a day of every paper symbol.
var long = Request{SimDuration: 24 * time.Hour, Settings: settings.Settings{Mode: settings.ModePaper, Strategy: "grid",
	Symbols: []string{"ADA-USD", "AVAX-USD", "BTC-USD", "DOGE-USD", "ETH-USD", "LINK-USD", "LTC-USD", "SOL-USD", "XRP-USD"}}}

// Close ends the backtest under way with ErrClosed, and refuses later
// ones: a shutting-down daemon waits for no backtest.
func TestCloseEndsTheRunAndRefusesMore(t *testing.T) {
	var r Runner
	done := make(chan error, 1)
	go func() {
		for { // until it has the slot, as the probe below may hold it
			_, err := r.Run(context.Background(), long)
			if !errors.Is(err, ErrBusy) {
				done <- err
				return
			}
		}
	}()
	short := Request{SimDuration: time.Second, Settings: settings.Settings{Mode: settings.ModePaper}}
	for {
		_, err := r.Run(context.Background(), short)
		if errors.Is(err, ErrBusy) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("the run under way at Close: %v; want ErrClosed", err)
	}
	if _, err := r.Run(context.Background(), short); !errors.Is(err, ErrClosed) {
		t.Fatalf("a run after Close: %v; want ErrClosed", err)
	}
}

// A caller's deadline and cancellation come back as such, not as a
// failure of the run.
func TestContextEndsTheRun(t *testing.T) {
	var r Runner
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Run(ctx, long); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := r.Run(ctx, long); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
}

// A Sharpe period finer than the run can keep is refused, named, with the
// least one allowed, rather than coarsened behind the caller's back; that
// least one runs at the period asked for.
func TestTooFineASamplePeriodIsRefused(t *testing.T) {
	var r Runner
	req := Request{SimDuration: time.Hour, SampleEvery: time.Nanosecond, Settings: settings.Settings{Mode: settings.ModePaper}}
	_, err := r.Run(context.Background(), req)
	var invalid *settings.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "sample_every" || !strings.Contains(invalid.Reason, "at least 3.433228ms") {
		t.Fatalf("1ns over 1h: %v; want sample_every refused, naming 3.433228ms", err)
	}
	req.SampleEvery = 3433228 * time.Nanosecond
	res, err := r.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.SampleEvery != req.SampleEvery.String() || res.SampleEveryRequested != "" {
		t.Fatalf("the least period allowed ran every %s (requested %q)", res.SampleEvery, res.SampleEveryRequested)
	}
	req.SampleEvery--
	if _, err := r.Run(context.Background(), req); !errors.As(err, &invalid) {
		t.Fatalf("1ns under the least: %v; want refused", err)
	}
}
