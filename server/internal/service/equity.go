package service

import (
	"context"
	"errors"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tradectl/tradectl/internal/money"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// defaultEquityPoints is GetEquityCurveRequest.max_points when unset.
const defaultEquityPoints = 1000

// GetEquityCurve reads the curve the store recorded for the session
// (store.EquityEvery, store.MaxEquityPoints), with each point's drawdown
// from the session's peak as of that point (taken from every tick, stored
// with the point), thinned for the reader; max_drawdown is the session's
// from every tick, the figure its health report shows.
func (t *Trading) GetEquityCurve(ctx context.Context, req *tradingv1.GetEquityCurveRequest) (*tradingv1.GetEquityCurveResponse, error) {
	id, quote, rows, peak, err := t.q.equity(ctx, req.GetSessionId())
	if err != nil {
		return nil, toStatus(t.log, err)
	}
	max := int(req.GetMaxPoints())
	if max == 0 {
		max = defaultEquityPoints
	}
	points, maxDD := equityCurve(rows, max)
	// The points' drawdowns cannot exceed it but for a store that lost the
	// figure (a curve from before a tick committed one): the larger wins.
	maxDD = money.Max(maxDD, peak.MaxDrawdown)
	resp := &tradingv1.GetEquityCurveResponse{SessionId: id, QuoteCurrency: quote, Recorded: uint64(len(rows)),
		MaxDrawdown: maxDD.String(), Points: make([]*tradingv1.EquityPoint, len(points))}
	for i, p := range points {
		resp.Points[i] = &tradingv1.EquityPoint{Time: timestamppb.New(p.Time), Equity: p.Equity.String(),
			Drawdown: p.Drawdown.String()}
	}
	return resp, nil
}

// equity returns a session's stored curve, its peak and largest drawdown
// from every tick (zero when no tick stored them) and its quote currency
// ("" when no tick committed an account yet). The figures are read after
// the points, so they cover every point returned.
func (q readModel) equity(ctx context.Context, sessionID string) (id, quote string, rows []store.EquityRow, peak store.EquityPeak, err error) {
	if q.st == nil {
		return "", "", nil, peak, session.ErrNoStore
	}
	if id, err = q.resolve(ctx, sessionID); err != nil || id == "" {
		return "", "", nil, peak, err
	}
	if rows, err = q.st.ListEquity(ctx, id); err != nil {
		return "", "", nil, peak, err
	}
	if peak, err = q.st.LoadEquityPeak(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", "", nil, peak, err
	}
	p, err := q.st.LoadPortfolio(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", "", nil, peak, err
	}
	return id, p.QuoteCurrency, rows, peak, nil
}

// curvePoint is an equity point with its drawdown.
type curvePoint struct {
	store.EquityRow
	Drawdown money.Decimal
}

// equityCurve computes each point's drawdown from the session's peak as
// of that point, and the largest, then keeps at most max points evenly
// spread over all by index, the first and the newest among them (just the
// newest when max is 1). The peak is the one stored with the point (from
// every tick), never below the equity of any point so far, so a point
// stored without one (zero) still gets the drawdown its curve shows. The
// peak and the maximum come from all points, so thinning never hides a
// drop.
func equityCurve(all []store.EquityRow, max int) (kept []curvePoint, maxDD money.Decimal) {
	n := len(all)
	if n == 0 || max <= 0 {
		return nil, maxDD
	}
	points := make([]curvePoint, n)
	peak := all[0].Equity
	for i, r := range all {
		peak = money.Max(peak, money.Max(r.Peak, r.Equity))
		points[i] = curvePoint{EquityRow: r, Drawdown: peak.Sub(r.Equity)}
		maxDD = money.Max(maxDD, points[i].Drawdown)
	}
	switch {
	case n <= max:
		return points, maxDD
	case max == 1:
		return points[n-1:], maxDD
	}
	// Index i*(n-1)/(max-1): 0 first, n-1 last, and strictly increasing
	// since n > max, so no point is taken twice.
	kept = make([]curvePoint, max)
	for i := range kept {
		kept[i] = points[i*(n-1)/(max-1)]
	}
	return kept, maxDD
}
