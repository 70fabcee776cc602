package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// signal sends without blocking the watch goroutine; a full channel means
// the test already has what it waits for.
func signal[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

func wait[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestWatchHealthDeliversUntilFnFails(t *testing.T) {
	c := startDaemon(t, &fakeTrading{}).client(t)
	errEnough := errors.New("enough")
	var seqs []uint64
	err := c.WatchHealth(t.Context(), func(r *tradingv1.HealthReport) error {
		seqs = append(seqs, r.GetSequence())
		if len(seqs) == 3 {
			return errEnough
		}
		return nil
	})
	if !errors.Is(err, errEnough) || len(seqs) != 3 || seqs[0] != 1 {
		t.Fatalf("WatchHealth = %v after %v", err, seqs)
	}
}

func TestWatchHealthReconnects(t *testing.T) {
	d := startDaemon(t, &fakeTrading{})
	c := d.client(t)
	reports := make(chan uint64, 1)
	lost := make(chan time.Duration, 1)
	back := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- c.WatchHealth(ctx,
			func(r *tradingv1.HealthReport) error { signal(reports, r.GetSequence()); return nil },
			client.OnDisconnect(func(err error, retryIn time.Duration) {
				if !errors.Is(err, client.ErrUnavailable) {
					t.Errorf("disconnect cause %v, want ErrUnavailable", err)
				}
				signal(lost, retryIn)
			}),
			client.OnReconnect(func() { signal(back, struct{}{}) }),
			client.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	}()
	wait(t, reports, "first report")
	d.stop()
	if retryIn := wait(t, lost, "disconnect"); retryIn <= 0 || retryIn > 50*time.Millisecond {
		t.Errorf("retryIn = %v, want within the backoff", retryIn)
	}
	// A new listener: only a fresh dial reaches it. OnReconnect is called
	// only once a report has arrived again.
	d.start()
	wait(t, back, "reconnect")
	cancel()
	if err := wait(t, done, "WatchHealth to return"); !errors.Is(err, context.Canceled) {
		t.Errorf("WatchHealth = %v, want context.Canceled", err)
	}
}

func TestWatchHealthStopsPromptlyOnCancel(t *testing.T) {
	d := startDaemon(t, &fakeTrading{})
	c := d.client(t)
	lost := make(chan time.Duration, 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		done <- c.WatchHealth(ctx, func(*tradingv1.HealthReport) error { return nil },
			client.OnDisconnect(func(_ error, d time.Duration) { signal(lost, d) }),
			client.WithBackoff(time.Hour, time.Hour))
	}()
	d.stop()
	wait(t, lost, "disconnect") // now sleeping an hour before retrying
	start := time.Now()
	cancel()
	if err := wait(t, done, "WatchHealth to return"); !errors.Is(err, context.Canceled) {
		t.Errorf("WatchHealth = %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("returned %v after cancel", took)
	}
}

func TestWatchHealthGivesUpOnPermanentError(t *testing.T) {
	c := startDaemon(t, &fakeTrading{err: status.Error(codes.Unauthenticated, "bad token")}).client(t)
	err := c.WatchHealth(t.Context(), func(*tradingv1.HealthReport) error { return nil },
		client.OnDisconnect(func(err error, _ time.Duration) { t.Errorf("retried %v", err) }))
	if !errors.Is(err, client.ErrUnauthenticated) {
		t.Errorf("WatchHealth = %v, want ErrUnauthenticated", err)
	}
}
