package store

import (
	"context"
	"database/sql"
	"errors"
)

// stmt names a prepared write statement.
type stmt int

const (
	touchSession stmt = iota
	insertOrder
	insertHistory
	advanceOrder
	insertFill
	upsertPortfolio
	deletePositions
	insertPosition
	upsertRisk
	upsertVenue
	deleteVenueOrders
	insertVenueOrder
	lastFinished
	insertFinished
	deleteReservations
	insertReservation
	insertEvent
	upsertRefusal
	insertEquity
	bumpCurve
	upsertPeak
	nStmts
)

// writeSQL is prepared once, on the writer's one connection, so a tick
// parses no SQL.
var writeSQL = [nStmts]string{
	touchSession: `UPDATE sessions SET last_tick = COALESCE(?1, last_tick), ticks = COALESCE(?2, ticks),
		events = COALESCE(?3, events), orders = COALESCE(?4, orders), fills = COALESCE(?5, fills),
		refused = COALESCE(?6, refused), traded = COALESCE(?7, traded) WHERE id = ?8`,
	insertOrder: `INSERT INTO orders (session_id, client_id, seq, symbol, side, type, tif, post_only, quantity, price,
		decision_price, created, state, reason, filled, remaining, last_seq, updated, tag)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'NEW', '', 0, ?9, 0, ?12, ?13)`,
	insertHistory: `INSERT INTO order_history (session_id, client_id, seq, state, reason, filled, remaining, time)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	advanceOrder: `UPDATE orders SET state = ?, reason = ?, filled = ?, remaining = ?, updated = ?, last_seq = ?6
		WHERE session_id = ? AND client_id = ? AND last_seq = ?6 - 1`,
	insertFill: `INSERT INTO fills (session_id, client_id, seq, quantity, price, fee, liquidity, slippage, time,
		venue_trade_id, fee_asset, fee_native) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	upsertPortfolio: `INSERT INTO portfolios (session_id, currency, starting_cash, cash, realized, fees)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id) DO UPDATE SET currency = excluded.currency, starting_cash = excluded.starting_cash,
			cash = excluded.cash, realized = excluded.realized, fees = excluded.fees`,
	deletePositions: `DELETE FROM positions WHERE session_id = ?`,
	insertPosition: `INSERT INTO positions (session_id, symbol, quantity, cost_basis, mark, marked, realized, fees)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	upsertRisk: `INSERT INTO risk (session_id, state, reason, since, start_equity, peak_equity, equity, sent_times)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since,
			start_equity = excluded.start_equity, peak_equity = excluded.peak_equity, equity = excluded.equity,
			sent_times = excluded.sent_times`,
	upsertVenue: `INSERT INTO venues (session_id, seq) VALUES (?, ?)
		ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq`,
	deleteVenueOrders: `DELETE FROM venue_orders WHERE session_id = ?`,
	insertVenueOrder: `INSERT INTO venue_orders (session_id, client_id, seq, symbol, side, type, tif, post_only, quantity,
		price, submitted, arrival, decision_price, filled, state, active, queue, tag)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	lastFinished:       `SELECT pos, client_id FROM venue_finished WHERE session_id = ? ORDER BY pos DESC LIMIT 1`,
	insertFinished:     `INSERT INTO venue_finished (session_id, pos, client_id, state) VALUES (?, ?, ?, ?)`,
	deleteReservations: `DELETE FROM reservations WHERE session_id = ?`,
	insertReservation: `INSERT INTO reservations (session_id, client_id, symbol, side, remaining, amount)
		VALUES (?, ?, ?, ?, ?, ?)`,
	insertEvent: `INSERT INTO order_events (session_id, client_id, history_seq, fill_seq, avg_price, fees)
		VALUES (?, ?, ?, ?, ?, ?)`,
	upsertRefusal: `INSERT INTO refusals (session_id, rule, symbol, side, count, first, last, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (session_id, rule, symbol, side) DO UPDATE SET count = count + excluded.count,
			last = excluded.last, reason = excluded.reason`,
	// A point at a time the curve already has (an end written in the same
	// nanosecond as the last tick's) is not a second point.
	insertEquity: `INSERT INTO equity_points (session_id, time, equity, peak) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_id, time) DO NOTHING`,
	// Every changed figure replaces the stored one: the loop's only grow.
	upsertPeak: `INSERT INTO equity_curves (session_id, every, points, peak, max_drawdown) VALUES (?1, ?2, 0, ?3, ?4)
		ON CONFLICT (session_id) DO UPDATE SET peak = ?3, max_drawdown = ?4`,
	bumpCurve: `INSERT INTO equity_curves (session_id, every, points) VALUES (?1, ?2, ?3)
		ON CONFLICT (session_id) DO UPDATE SET points = points + ?3
		RETURNING every, points`,
}

type writeStmts [nStmts]*sql.Stmt

func prepareWrites(ctx context.Context, db *sql.DB) (*writeStmts, error) {
	var w writeStmts
	for i, q := range writeSQL {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			_ = w.close()
			return nil, err
		}
		w[i] = st
	}
	return &w, nil
}

func (w *writeStmts) close() error {
	var errs []error
	for _, st := range w {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// txStmts binds prepared statements to one transaction as they are first
// used: most ticks use a few of them.
type txStmts struct {
	ctx   context.Context
	tx    *sql.Tx
	all   *writeStmts
	bound [nStmts]*sql.Stmt
}

func (t *txStmts) get(s stmt) *sql.Stmt {
	if t.bound[s] == nil {
		t.bound[s] = t.tx.StmtContext(t.ctx, t.all[s])
	}
	return t.bound[s]
}

func (t *txStmts) exec(s stmt, args ...any) (sql.Result, error) {
	return t.get(s).ExecContext(t.ctx, args...)
}

// execOne runs s and reports whether it changed exactly one row.
func (t *txStmts) execOne(s stmt, args ...any) (bool, error) {
	res, err := t.exec(s, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
