//go:build chaos

package chaos

import (
	"context"
	"sync"
	"testing"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// watcher collects every report of one WatchHealth stream.
type watcher struct {
	mu      sync.Mutex
	reports []*tradingv1.HealthReport
	cancel  context.CancelFunc
	done    chan struct{}
}

func watch(t *testing.T, c *client.Client) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		_ = c.WatchHealth(ctx, func(r *tradingv1.HealthReport) error {
			w.mu.Lock()
			w.reports = append(w.reports, r)
			w.mu.Unlock()
			return nil
		})
	}()
	t.Cleanup(w.close)
	return w
}

func (w *watcher) close() {
	w.cancel()
	<-w.done
}

func (w *watcher) find(pred func(*tradingv1.HealthReport) bool) *tradingv1.HealthReport {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.reports {
		if pred(r) {
			return r
		}
	}
	return nil
}

func (w *watcher) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.reports)
}
