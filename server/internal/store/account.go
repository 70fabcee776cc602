package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/venue"
)

// LoadPortfolio implements Store.
func (s *SQLite) LoadPortfolio(ctx context.Context, sessionID string) (_ PortfolioRow, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: load portfolio of session %q: %w", sessionID, classify(err))
		}
	}()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return PortfolioRow{}, err
	}
	defer tx.Rollback()
	var p PortfolioRow
	var start, cash, realized, fees int64
	err = tx.QueryRowContext(ctx, `SELECT currency, starting_cash, cash, realized, fees FROM portfolios WHERE session_id = ?`,
		sessionID).Scan(&p.QuoteCurrency, &start, &cash, &realized, &fees)
	if errors.Is(err, sql.ErrNoRows) {
		return PortfolioRow{}, ErrNotFound
	}
	if err != nil {
		return PortfolioRow{}, err
	}
	p.StartingCash, p.Cash, p.RealizedPnL, p.FeesPaid = decimal(start), decimal(cash), decimal(realized), decimal(fees)
	rows, err := tx.QueryContext(ctx, `SELECT symbol, quantity, cost_basis, mark, marked, realized, fees FROM positions
		WHERE session_id = ? ORDER BY symbol`, sessionID)
	if err != nil {
		return PortfolioRow{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var ps portfolio.PositionState
		var qty, basis, mark, realized, fees int64
		if err := rows.Scan(&ps.Symbol, &qty, &basis, &mark, &ps.Marked, &realized, &fees); err != nil {
			return PortfolioRow{}, err
		}
		ps.Quantity, ps.CostBasis, ps.Mark = decimal(qty), decimal(basis), decimal(mark)
		ps.RealizedPnL, ps.FeesPaid = decimal(realized), decimal(fees)
		p.Positions = append(p.Positions, ps)
	}
	if err := rows.Err(); err != nil {
		return PortfolioRow{}, err
	}
	if p.Reservations, err = reservations(ctx, tx, sessionID); err != nil {
		return PortfolioRow{}, err
	}
	return p, nil
}

func reservations(ctx context.Context, tx *sql.Tx, sessionID string) ([]portfolio.Reservation, error) {
	rows, err := tx.QueryContext(ctx, `SELECT client_id, symbol, side, remaining, amount FROM reservations
		WHERE session_id = ? ORDER BY client_id`, sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []portfolio.Reservation
	for rows.Next() {
		var r portfolio.Reservation
		var side int
		var remaining, amount int64
		if err := rows.Scan(&r.ClientID, &r.Symbol, &side, &remaining, &amount); err != nil {
			return nil, err
		}
		r.Side, r.Remaining, r.Amount = venue.Side(side), decimal(remaining), decimal(amount)
		list = append(list, r)
	}
	return list, rows.Err()
}

// LoadRisk implements Store.
func (s *SQLite) LoadRisk(ctx context.Context, sessionID string) (RiskRow, error) {
	var r RiskRow
	var state string
	var since sql.NullInt64
	var start, peak, equity int64
	var sent string
	err := s.r.QueryRowContext(ctx, `SELECT state, reason, since, start_equity, peak_equity, equity, sent_times FROM risk
		WHERE session_id = ?`, sessionID).Scan(&state, &r.Reason, &since, &start, &peak, &equity, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil {
		r.State, err = parseRiskState(state)
	}
	if err == nil && sent != "[]" {
		err = json.Unmarshal([]byte(sent), &r.SentTimes)
	}
	if err != nil {
		return RiskRow{}, fmt.Errorf("store: load risk of session %q: %w", sessionID, classify(err))
	}
	r.Since, r.StartEquity, r.PeakEquity, r.Equity = fromNanos(since), decimal(start), decimal(peak), decimal(equity)
	return r, nil
}

// LoadVenue implements Store.
func (s *SQLite) LoadVenue(ctx context.Context, sessionID string, maxFinished int) (_ matching.State, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: load venue of session %q: %w", sessionID, classify(err))
		}
	}()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return matching.State{}, err
	}
	defer tx.Rollback()
	var v matching.State
	var seq int64
	err = tx.QueryRowContext(ctx, `SELECT seq FROM venues WHERE session_id = ?`, sessionID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return matching.State{}, ErrNotFound
	}
	if err != nil {
		return matching.State{}, err
	}
	v.Seq = uint64(seq)
	if v.Orders, err = venueOrders(ctx, tx, sessionID); err != nil {
		return matching.State{}, err
	}
	if v.Finished, err = venueFinished(ctx, tx, sessionID, maxFinished); err != nil {
		return matching.State{}, err
	}
	return v, nil
}

func venueOrders(ctx context.Context, tx *sql.Tx, sessionID string) ([]matching.OrderState, error) {
	rows, err := tx.QueryContext(ctx, `SELECT client_id, seq, symbol, side, type, tif, post_only, quantity, price,
		submitted, arrival, decision_price, filled, state, active, queue, tag FROM venue_orders WHERE session_id = ? ORDER BY seq`,
		sessionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []matching.OrderState
	for rows.Next() {
		var o matching.OrderState
		var seq, qty, price, decision, filled int64
		var side, typ, tif int
		var submitted, arrival sql.NullInt64
		var state string
		if err := rows.Scan(&o.ClientID, &seq, &o.Spec.Symbol, &side, &typ, &tif, &o.Spec.PostOnly, &qty, &price,
			&submitted, &arrival, &decision, &filled, &state, &o.Active, &o.Queue, &o.Spec.Tag); err != nil {
			return nil, err
		}
		if o.State, err = parseOrderState(state); err != nil {
			return nil, err
		}
		o.Seq = uint64(seq)
		o.Spec.Side, o.Spec.Type, o.Spec.TIF = venue.Side(side), venue.OrderType(typ), venue.TimeInForce(tif)
		o.Spec.Quantity, o.Spec.Price = decimal(qty), decimal(price)
		o.Submitted, o.Arrival = fromNanos(submitted), fromNanos(arrival)
		o.DecisionPrice, o.Filled = decimal(decision), decimal(filled)
		list = append(list, o)
	}
	return list, rows.Err()
}

// venueFinished returns the newest max finished ids, oldest first.
func venueFinished(ctx context.Context, tx *sql.Tx, sessionID string, max int) ([]matching.FinishedOrder, error) {
	rows, err := tx.QueryContext(ctx, `SELECT client_id, state FROM (SELECT pos, client_id, state FROM venue_finished
		WHERE session_id = ? ORDER BY pos DESC LIMIT ?) ORDER BY pos`, sessionID, limitArg(max))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []matching.FinishedOrder
	for rows.Next() {
		var f matching.FinishedOrder
		var state string
		if err := rows.Scan(&f.ClientID, &state); err != nil {
			return nil, err
		}
		if f.State, err = parseOrderState(state); err != nil {
			return nil, err
		}
		list = append(list, f)
	}
	return list, rows.Err()
}
