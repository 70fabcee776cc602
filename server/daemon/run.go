package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/oklog/run"
	"google.golang.org/grpc"
)

// Run serves until ctx is cancelled (a signal) or a server fails, then shuts
// down: the session stops gracefully, health turns NOT_SERVING, watch
// streams end, and GracefulStop gets ShutdownTimeout before open streams are
// cut, so a client that never hangs up cannot hold the daemon (etcd's
// stopServers does the same).
//
// The daemon is a group of actors (oklog/run): the signal, the gRPC
// server, the metrics server, the dashboard's server and the file
// reloader. The first to return interrupts all, in the order they were
// added, which is the order of the shutdown; Run returns once every one
// has, then writes what is left and closes the store.
func (d *Daemon) Run(ctx context.Context) error {
	var (
		mu     sync.Mutex
		runErr error // the first server's error, as it arrived
	)
	keep := func(err error) error {
		mu.Lock()
		defer mu.Unlock()
		if runErr == nil {
			runErr = err
		}
		return err
	}
	var g run.Group
	stopping := make(chan struct{})
	g.Add(func() error {
		select {
		case <-ctx.Done():
			d.log.Info("shutting down", "cause", context.Cause(ctx))
		case <-stopping:
		}
		return nil
	}, func(err error) {
		if err != nil {
			d.log.Error("server failed; shutting down", "err", err)
		}
		close(stopping)
	})
	g.Add(func() error {
		return keep(serveErr("grpc", d.grpc.Serve(d.cfg.Listener)))
	}, func(error) { d.stopServing() })
	if d.metrics != nil {
		g.Add(func() error {
			return keep(serveErr("metrics", d.metrics.Serve(d.cfg.MetricsListener)))
		}, func(error) {
			mctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = d.metrics.Shutdown(mctx)
			cancel()
		})
	}
	if d.web != nil {
		// After gRPC's: its interrupt (GracefulStop) ends the browsers'
		// streams, so Shutdown here finds idle connections to close.
		g.Add(func() error {
			if d.cfg.TLS != nil {
				return keep(serveErr("http", d.web.ServeTLS(d.cfg.HTTPListener, "", "")))
			}
			return keep(serveErr("http", d.web.Serve(d.cfg.HTTPListener)))
		}, func(error) {
			hctx, cancel := context.WithTimeout(context.Background(), d.cfg.ShutdownTimeout)
			if d.web.Shutdown(hctx) != nil {
				_ = d.web.Close()
			}
			cancel()
		})
	}
	reloadCtx, stopReload := context.WithCancel(context.Background())
	g.Add(func() error { d.reload.Run(reloadCtx); return nil }, func(error) { stopReload() })

	attrs := []any{"addr", d.cfg.Listener.Addr().String()}
	if d.cfg.MetricsListener != nil {
		attrs = append(attrs, "metrics_addr", d.cfg.MetricsListener.Addr().String())
	}
	if d.web != nil {
		attrs = append(attrs, "http_addr", d.cfg.HTTPListener.Addr().String())
	}
	attrs = append(attrs, "tls", d.cfg.TLS.Mode())
	d.log.Info("tradingd serving", attrs...)
	_ = g.Run() // runErr has the servers' errors in the order they came
	d.release()
	d.log.Info("tradingd stopped")
	return runErr
}

// stopServing stops the session, then the gRPC server: health turns
// NOT_SERVING first, so that probes see the daemon going.
func (d *Daemon) stopServing() {
	d.health.Shutdown()
	// A backtest would hold GracefulStop until it finished, and takes a
	// core the session's stop may need.
	d.trading.StopBacktests()
	// The session's whole stop, its end recorded included, is bounded by
	// --stop-timeout: nothing in it takes a deadline of its own.
	stopCtx, cancel := context.WithTimeout(context.Background(), d.stopTimeout)
	d.Manager.Shutdown(stopCtx)
	cancel()
	if snap, ok, _ := d.Manager.Status(); ok {
		d.log.Info("session at shutdown", "session", snap.ID, "state", snap.State.String(), "reason", snap.Reason)
	}

	// One deadline for the dashboard's drain and GracefulStop together.
	deadline := time.Now().Add(d.cfg.ShutdownTimeout)
	if d.webRPCs != nil {
		// The browsers' streams have their SHUTTING_DOWN now; let them
		// write it before GracefulStop closes their transports.
		wctx, cancel := context.WithDeadline(context.Background(), deadline)
		if err := d.webRPCs.Drain(wctx); err != nil {
			d.log.Warn("dashboard calls still running at shutdown; cutting them", "timeout", d.cfg.ShutdownTimeout)
		}
		cancel()
	}
	done := make(chan struct{})
	go func() { d.grpc.GracefulStop(); close(done) }()
	t := time.NewTimer(time.Until(deadline))
	select {
	case <-done:
		t.Stop()
	case <-t.C:
		d.log.Warn("graceful stop timed out; closing remaining connections", "timeout", d.cfg.ShutdownTimeout)
		d.grpc.Stop()
		<-done
	}
}

// release runs once every actor has returned: every RPC has, so the
// refusals still being summed are written, and the session's goroutines
// write no more (Manager.Shutdown) and every RPC handler has returned
// (WaitForHandlers), so the store closes last.
func (d *Daemon) release() {
	d.strategies.Wait() // the strategy streams' own goroutines
	d.refused.Flush()
	d.failed.Flush()
	if d.store != nil {
		if err := d.store.Close(); err != nil {
			d.log.Error("closing the store", "err", err)
		}
	}
}

func serveErr(name string, err error) error {
	if err == nil || errors.Is(err, grpc.ErrServerStopped) || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("%s server: %w", name, err)
}
