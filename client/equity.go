package client

import (
	"context"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// GetEquityCurve returns the equity curve the daemon's store recorded for
// the current or last session (or the one ForSession names): a point every
// few seconds while it ran and one at its end, a gap where the daemon was
// down, oldest first. maxPoints thins it evenly, keeping the first and the
// newest point (0: the daemon's default, 1000; more than 10000 is
// ErrInvalidArgument); each point's drawdown is from the peak of every
// recorded point. An unknown session is ErrNotFound; a daemon without a
// store answers ReasonNoStore.
func (c *Client) GetEquityCurve(ctx context.Context, maxPoints uint32, opts ...QueryOption) (*tradingv1.GetEquityCurveResponse, error) {
	resp, err := c.trading.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: newQuery(opts).sessionID,
		MaxPoints: maxPoints})
	return resp, fromRPC(err)
}

// RunBacktest runs a backtest inside the daemon over its paper market's
// simulator and returns its figures, curves and first trades. It runs
// until done or ctx ends (ErrDeadlineExceeded, context.Canceled); one runs
// at a time in a daemon: another while one runs is ErrResourceExhausted
// with Reason ReasonBacktestBusy. tradectl backtest runs the same engine
// in-process, with no daemon.
func (c *Client) RunBacktest(ctx context.Context, req *tradingv1.RunBacktestRequest) (*tradingv1.RunBacktestResponse, error) {
	resp, err := c.trading.RunBacktest(ctx, req)
	return resp, fromRPC(err)
}
