package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
)

// ListOrders implements Store: the newest limit orders of the session,
// oldest first, each with its fills, average price and fees worked out
// from them; omitted is how many more there are of the kind asked for.
func (s *SQLite) ListOrders(ctx context.Context, sessionID string, openOnly bool, limit int) ([]orders.Order, int, error) {
	p, err := s.PageOrders(ctx, sessionID, openOnly, Page{Limit: limit})
	return p.Orders, p.Omitted, err
}

func queryOrders(ctx context.Context, q querier, query string, args ...any) ([]orders.Order, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []orders.Order
	for rows.Next() {
		var o orders.Order
		var side, typ, tif int
		var qty, price, decision, filled, remaining int64
		var created, updated sql.NullInt64
		var state string
		if err := rows.Scan(&o.ClientID, &o.Spec.Symbol, &side, &typ, &tif, &o.Spec.PostOnly, &qty, &price, &decision,
			&created, &state, &o.Reason, &filled, &remaining, &updated, &o.Spec.Tag); err != nil {
			return nil, err
		}
		if o.State, err = parseOrderState(state); err != nil {
			return nil, err
		}
		o.Spec.Side, o.Spec.Type, o.Spec.TIF = venue.Side(side), venue.OrderType(typ), venue.TimeInForce(tif)
		o.Spec.Quantity, o.Spec.Price, o.DecisionPrice = decimal(qty), decimal(price), decimal(decision)
		o.Filled, o.Remaining = decimal(filled), decimal(remaining)
		o.Created, o.Updated = fromNanos(created), fromNanos(updated)
		list = append(list, o)
	}
	return list, rows.Err()
}

// OrderHistory implements Store: the order's transitions in order, from
// row 0 (NEW, at submission).
func (s *SQLite) OrderHistory(ctx context.Context, sessionID, clientID string) ([]TransitionRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, state, reason, filled, remaining, time FROM order_history
		WHERE session_id = ? AND client_id = ? ORDER BY seq`, sessionID, clientID)
	if err != nil {
		return nil, fmt.Errorf("store: history of order %q: %w", clientID, classify(err))
	}
	defer rows.Close()
	var list []TransitionRow
	for rows.Next() {
		tr := TransitionRow{ClientID: clientID}
		var state string
		var filled, remaining int64
		var at sql.NullInt64
		if err := rows.Scan(&tr.Seq, &state, &tr.Reason, &filled, &remaining, &at); err != nil {
			return nil, fmt.Errorf("store: history of order %q: %w", clientID, classify(err))
		}
		if tr.State, err = parseOrderState(state); err != nil {
			return nil, fmt.Errorf("store: history of order %q: %w", clientID, err)
		}
		tr.Filled, tr.Remaining, tr.Time = decimal(filled), decimal(remaining), fromNanos(at)
		list = append(list, tr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history of order %q: %w", clientID, classify(err))
	}
	return list, nil
}

// ListFills implements Store: the newest limit fills of the session in the
// order they were committed, with their order's symbol and side.
func (s *SQLite) ListFills(ctx context.Context, sessionID string, limit int) ([]FillRow, error) {
	p, err := s.PageFills(ctx, sessionID, Page{Limit: limit})
	return p.Fills, err
}

func queryFills(ctx context.Context, q querier, query string, args ...any) ([]FillRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []FillRow
	for rows.Next() {
		var f FillRow
		var qty, price, fee, slip, native int64
		var liq, side int
		var at sql.NullInt64
		if err := rows.Scan(&f.ClientID, &f.Seq, &qty, &price, &fee, &liq, &slip, &at, &f.TradeID, &f.FeeAsset, &native,
			&f.Symbol, &side); err != nil {
			return nil, err
		}
		f.Quantity, f.Price, f.Fee, f.Slippage = decimal(qty), decimal(price), decimal(fee), decimal(slip)
		f.FeeNative = decimal(native)
		f.Liquidity, f.Side, f.Time = venue.Liquidity(liq), venue.Side(side), fromNanos(at)
		list = append(list, f)
	}
	return list, rows.Err()
}

// MaxOrderSeq implements Store.
func (s *SQLite) MaxOrderSeq(ctx context.Context, sessionID string) (uint64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM orders WHERE session_id = ?`, sessionID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: max order seq of session %q: %w", sessionID, classify(err))
	}
	return uint64(n), nil
}

// notional is Σ(quantity × price) over an order's fills in 128 bits, so
// the average price is the orders.Book's to the unit: the exact sum
// divided once, rounded half away from zero (see orders/notional.go).
type notional struct{ hi, lo uint64 }

func (n *notional) add(qty, price money.Decimal) {
	hi, lo := bits.Mul64(uint64(qty.Units()), uint64(price.Units()))
	var carry uint64
	n.lo, carry = bits.Add64(n.lo, lo, 0)
	n.hi, _ = bits.Add64(n.hi, hi, carry)
}

func (n *notional) average(fills []orders.Fill) money.Decimal {
	var filled money.Decimal
	for _, f := range fills {
		filled = filled.Add(f.Quantity)
	}
	den := uint64(filled.Units())
	if den == 0 || n.hi >= den {
		return money.Decimal{} // no fills, or figures no Book could hold
	}
	q, r := bits.Div64(n.hi, n.lo, den)
	if r >= den-r {
		q++
	}
	return money.FromUnits(int64(q))
}
