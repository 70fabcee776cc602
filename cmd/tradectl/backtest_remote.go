package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	"google.golang.org/grpc"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/endpoint"
	"github.com/tradectl/tradectl/internal/remote"
	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// A backtest of a remote strategy (--strategy remote:NAME) hosts
// StrategyService itself, on loopback, for the strategy's process to attach
// to, and runs in lockstep: each event waits for the strategy's answer, so
// the same data and strategy give the same result, byte for byte. The data
// stays here; the daemon is not involved.

// hostRemote serves the remote strategy cfg names on --strategy-listen and
// waits for its client; it sets cfg.Strategy and returns what ends the
// hosting once the run is over, with the run's error: a client that left
// during the run fails it, since what ran after was not the strategy.
func (f *backtestFlags) hostRemote(ctx context.Context, a *app, cfg *backtest.Config) (func(error) error, error) {
	name, _ := settings.RemoteName(cfg.Settings.Strategy)
	if !endpoint.IsLoopback(f.strategyListen) {
		return nil, usageError{fmt.Errorf("--strategy-listen %s: a backtest serves its strategy on loopback only (plaintext)", f.strategyListen)}
	}
	token, err := client.ReadTokenFile(a.tokenFile)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", f.strategyListen)
	if err != nil {
		return nil, fmt.Errorf("--strategy-listen: %w", err)
	}
	symbols := f.symbols
	rem, err := remote.New(remote.Config{Name: name, SessionID: "backtest", Mode: remote.Lockstep, Symbols: symbols,
		OnDetach: remote.CancelOnDetach, Done: ctx.Done()})
	if err != nil {
		lis.Close()
		return nil, invalidInput{err}
	}
	reg := remote.NewRegistry()
	if err := reg.Register(rem); err != nil {
		lis.Close()
		return nil, err
	}
	svc := remote.NewService(reg)
	srv := grpc.NewServer(grpc.StreamInterceptor(auth.StreamServerInterceptor(tokenAuth(token))))
	tradingv1.RegisterStrategyServiceServer(srv, svc)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(lis) }()
	end := func(runErr error) error {
		if st := rem.Stats(); runErr == nil && !st.Attached {
			why := ""
			if st.Detach != "" {
				why = ": " + st.Detach
			}
			runErr = fmt.Errorf("strategy %q detached during the backtest%s; the result would not be the strategy's", name, why)
		}
		reason, state := "backtest finished", tradingv1.SessionState_SESSION_STATE_STOPPED
		if runErr != nil {
			reason, state = "backtest failed: "+runErr.Error(), tradingv1.SessionState_SESSION_STATE_FAILED
		}
		rem.Close(state, reason)
		stopped := make(chan struct{})
		go func() { srv.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second): // a client that does not read its last event
			srv.Stop()
			<-stopped
		}
		<-served
		svc.Wait()
		return runErr
	}
	grace := cfg.Settings.AttachGrace
	if grace <= 0 {
		grace = settings.DefaultAttachGrace
	}
	fmt.Fprintf(a.stderr, "tradectl: waiting up to %s for strategy %q to attach at %s\n", grace, name, lis.Addr())
	wait, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if !rem.WaitAttached(wait.Done()) {
		rem.Close(tradingv1.SessionState_SESSION_STATE_STOPPED, "no strategy attached")
		srv.Stop()
		<-served
		svc.Wait()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("backtest %w", errInterrupted)
		}
		return nil, fmt.Errorf("strategy %q did not attach at %s within %s", name, lis.Addr(), grace)
	}
	cfg.Strategy = rem
	return end, nil
}

// tokenAuth admits a strategy that presents the daemon's token, compared
// in constant time over digests, as tradingd does.
func tokenAuth(token string) auth.AuthFunc {
	want := sha256.Sum256([]byte(token))
	return func(ctx context.Context) (context.Context, error) {
		got, err := auth.AuthFromMD(ctx, "bearer")
		if err != nil {
			return nil, tradingv1.ErrorReason_ERROR_REASON_TOKEN_MISSING.Status("missing bearer token: pass tradingd's token", nil).Err()
		}
		if d := sha256.Sum256([]byte(got)); subtle.ConstantTimeCompare(d[:], want[:]) != 1 {
			return nil, tradingv1.ErrorReason_ERROR_REASON_TOKEN_INVALID.Status("invalid bearer token", nil).Err()
		}
		return ctx, nil
	}
}
