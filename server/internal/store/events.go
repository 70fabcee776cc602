package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

// OrderEventsAfter implements Store: at most limit events with a sequence
// number greater than after, oldest first, each rebuilt from the rows it
// points to.
func (s *SQLite) OrderEventsAfter(ctx context.Context, after uint64, limit int) ([]orders.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT e.seq, e.session_id, e.client_id, o.symbol, o.side, o.type, o.tif,
		o.post_only, o.quantity, o.price, o.decision_price, o.created, h.state, h.reason, h.filled, h.remaining, h.time,
		e.avg_price, e.fees, COALESCE(f.quantity, 0), COALESCE(f.price, 0), COALESCE(f.fee, 0),
		COALESCE(f.liquidity, 0), COALESCE(f.slippage, 0), f.time, o.tag, COALESCE(f.venue_trade_id, 0),
		COALESCE(f.fee_asset, ''), COALESCE(f.fee_native, 0), e.fill_seq
		FROM order_events e
		JOIN orders o ON o.session_id = e.session_id AND o.client_id = e.client_id
		JOIN order_history h ON h.session_id = e.session_id AND h.client_id = e.client_id AND h.seq = e.history_seq
		LEFT JOIN fills f ON e.fill_seq > 0 AND f.session_id = e.session_id AND f.client_id = e.client_id
			AND f.seq = e.fill_seq
		WHERE e.seq > ? ORDER BY e.seq LIMIT ?`, int64(after), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("store: order events after %d: %w", after, classify(err))
	}
	defer rows.Close()
	var list []orders.Event
	for rows.Next() {
		var e orders.Event
		o := &e.Order
		var fillSeq uint32
		var seq, qty, price, decision, filled, remaining, avg, fees int64
		var fQty, fPrice, fFee, fSlip, fTrade, fNative int64
		var fAsset string
		var side, typ, tif, liq int
		var created, updated, fTime sql.NullInt64
		var state string
		if err := rows.Scan(&seq, &o.SessionID, &o.ClientID, &o.Spec.Symbol, &side, &typ, &tif, &o.Spec.PostOnly,
			&qty, &price, &decision, &created, &state, &o.Reason, &filled, &remaining, &updated, &avg, &fees,
			&fQty, &fPrice, &fFee, &liq, &fSlip, &fTime, &o.Spec.Tag, &fTrade, &fAsset, &fNative, &fillSeq); err != nil {
			return nil, fmt.Errorf("store: order events after %d: %w", after, classify(err))
		}
		if o.State, err = parseOrderState(state); err != nil {
			return nil, fmt.Errorf("store: order event %d: %w", seq, err)
		}
		e.Seq, e.FillSeq = uint64(seq), fillSeq
		o.Spec.Side, o.Spec.Type, o.Spec.TIF = venue.Side(side), venue.OrderType(typ), venue.TimeInForce(tif)
		o.Spec.Quantity, o.Spec.Price, o.DecisionPrice = decimal(qty), decimal(price), decimal(decision)
		o.Filled, o.Remaining = decimal(filled), decimal(remaining)
		o.Created, o.Updated = fromNanos(created), fromNanos(updated)
		o.AveragePrice, o.Fees = decimal(avg), decimal(fees)
		e.Fill = orders.Fill{Quantity: decimal(fQty), Price: decimal(fPrice), Fee: decimal(fFee),
			Liquidity: venue.Liquidity(liq), Slippage: decimal(fSlip), Time: fromNanos(fTime),
			TradeID: fTrade, FeeAsset: fAsset, FeeNative: decimal(fNative)}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: order events after %d: %w", after, classify(err))
	}
	return list, nil
}

// LastOrderEvent implements Store.
func (s *SQLite) LastOrderEvent(ctx context.Context) (uint64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM order_events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: last order event: %w", classify(err))
	}
	return uint64(n), nil
}
