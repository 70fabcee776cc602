package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tradectl/tradectl/internal/orders"
)

// Page asks for one page of a list: of the newest Limit rows (all of them
// when Limit ≤ 0), at most Size (all when Size ≤ 0), after Cursor (the zero
// Cursor for the first page).
type Page struct {
	Limit, Size int
	Cursor      Cursor
}

// Cursor carries a list from one page to the next. The first page pins the
// window, the keys from Lo to Hi that were the newest Limit rows then, so
// that rows added meanwhile neither shift the later pages nor show up twice;
// After is the last key listed. Keys are orders' seq, fills' and sessions'
// rowids: they only grow.
type Cursor struct{ Lo, Hi, After int64 }

// IsZero reports whether c is the first page's cursor.
func (c Cursor) IsZero() bool { return c == Cursor{} }

// OrdersPage is one page of a session's orders, oldest first. Omitted
// counts the orders of the kind asked for older than the window; Next is
// nil on the last page.
type OrdersPage struct {
	Orders  []orders.Order
	Omitted int
	Next    *Cursor
}

// FillsPage is one page of a session's fills, in the order they were
// committed.
type FillsPage struct {
	Fills   []FillRow
	Omitted int
	Next    *Cursor
}

// SessionsPage is one page of the sessions, newest first.
type SessionsPage struct {
	Sessions []SessionRecord
	Next     *Cursor
}

// window returns the first page's cursor for the rows keys selects
// (keys: a query of one column, k), or ok false when there are none.
func window(ctx context.Context, q *sql.Tx, keys string, limit int, args ...any) (_ Cursor, ok bool, err error) {
	var lo, hi sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT min(k), max(k) FROM (`+keys+` ORDER BY k DESC LIMIT ?)`,
		append(args, limitArg(limit))...).Scan(&lo, &hi)
	if err != nil || !hi.Valid {
		return Cursor{}, false, err
	}
	return Cursor{Lo: lo.Int64, Hi: hi.Int64, After: lo.Int64 - 1}, true, nil
}

// next is the cursor after a page of n rows that ended at key last, nil
// when the window is done. A full page that ends short of Hi may be
// followed by an empty one (open orders that closed meanwhile); AIP-158
// allows that.
func next(c Cursor, size, n int, last int64) *Cursor {
	if size <= 0 || n < size || last >= c.Hi {
		return nil
	}
	c.After = last
	return &c
}

// PageOrders implements Store: the orders of one page, each with its fills,
// average price and fees worked out from them, in one read transaction.
func (s *SQLite) PageOrders(ctx context.Context, sessionID string, openOnly bool, p Page) (_ OrdersPage, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: list orders of session %q: %w", sessionID, classify(err))
		}
	}()
	where := `session_id = ?`
	if openOnly {
		where += ` AND state NOT IN ` + finalStates
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return OrdersPage{}, err
	}
	defer tx.Rollback()
	c := p.Cursor
	if c.IsZero() {
		var ok bool
		if c, ok, err = window(ctx, tx, `SELECT seq AS k FROM orders WHERE `+where, p.Limit, sessionID); err != nil || !ok {
			return OrdersPage{}, err
		}
	}
	var page OrdersPage
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE `+where+` AND seq < ?`, sessionID, c.Lo).
		Scan(&page.Omitted); err != nil {
		return OrdersPage{}, err
	}
	inPage := `SELECT seq FROM orders WHERE ` + where + ` AND seq > ? AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?`
	args := []any{sessionID, c.After, c.Lo, c.Hi, limitArg(p.Size)}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM (`+inPage+`)`, args...).Scan(&last); err != nil {
		return OrdersPage{}, err
	}
	if !last.Valid {
		return page, nil
	}
	// The page is the orders with seq in (After, last]: the same rows as
	// inPage, and a plain range for the fills' query too.
	list, err := queryOrders(ctx, tx, `SELECT client_id, symbol, side, type, tif, post_only, quantity, price, decision_price,
		created, state, reason, filled, remaining, updated, tag FROM orders
		WHERE `+where+` AND seq > ? AND seq <= ? ORDER BY seq`, sessionID, c.After, last.Int64)
	if err != nil {
		return OrdersPage{}, err
	}
	fills, err := queryFills(ctx, tx, `SELECT client_id, seq, quantity, price, fee, liquidity, slippage, time,
		venue_trade_id, fee_asset, fee_native, '', 0
		FROM fills WHERE session_id = ? AND client_id IN (SELECT client_id FROM orders WHERE `+where+` AND seq > ? AND seq <= ?)
		ORDER BY client_id, seq`, sessionID, sessionID, c.After, last.Int64)
	if err != nil {
		return OrdersPage{}, err
	}
	withFills(sessionID, list, fills)
	page.Orders, page.Next = list, next(c, p.Size, len(list), last.Int64)
	return page, tx.Commit()
}

// withFills attaches each fill to its order and works out the order's fees
// and average price from them.
func withFills(sessionID string, list []orders.Order, fills []FillRow) {
	byID := make(map[string]*orders.Order, len(list))
	for i := range list {
		list[i].SessionID = sessionID
		byID[list[i].ClientID] = &list[i]
	}
	sums := make(map[string]*notional, len(list))
	for _, f := range fills {
		o := byID[f.ClientID]
		if o == nil {
			continue
		}
		o.Fills = append(o.Fills, f.Fill)
		o.Fees = o.Fees.Add(f.Fee)
		n := sums[f.ClientID]
		if n == nil {
			n = new(notional)
			sums[f.ClientID] = n
		}
		n.add(f.Quantity, f.Price)
	}
	for id, n := range sums {
		o := byID[id]
		o.AveragePrice = n.average(o.Fills)
	}
}

// PageFills implements Store: one page of the session's fills in the order
// they were committed, with their order's symbol and side.
func (s *SQLite) PageFills(ctx context.Context, sessionID string, p Page) (_ FillsPage, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: list fills of session %q: %w", sessionID, classify(err))
		}
	}()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return FillsPage{}, err
	}
	defer tx.Rollback()
	c := p.Cursor
	if c.IsZero() {
		var ok bool
		if c, ok, err = window(ctx, tx, `SELECT rowid AS k FROM fills WHERE session_id = ?`, p.Limit, sessionID); err != nil || !ok {
			return FillsPage{}, err
		}
	}
	var page FillsPage
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM fills WHERE session_id = ? AND rowid < ?`, sessionID, c.Lo).
		Scan(&page.Omitted); err != nil {
		return FillsPage{}, err
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(rowid) FROM (SELECT rowid FROM fills WHERE session_id = ?
		AND rowid > ? AND rowid BETWEEN ? AND ? ORDER BY rowid LIMIT ?)`, sessionID, c.After, c.Lo, c.Hi, limitArg(p.Size)).
		Scan(&last); err != nil {
		return FillsPage{}, err
	}
	if !last.Valid {
		return page, nil
	}
	list, err := queryFills(ctx, tx, `SELECT f.client_id, f.seq, f.quantity, f.price, f.fee, f.liquidity, f.slippage,
		f.time, f.venue_trade_id, f.fee_asset, f.fee_native, o.symbol, o.side FROM fills f JOIN orders o USING (session_id, client_id)
		WHERE f.session_id = ? AND f.rowid > ? AND f.rowid <= ? ORDER BY f.rowid`, sessionID, c.After, last.Int64)
	if err != nil {
		return FillsPage{}, err
	}
	page.Fills, page.Next = list, next(c, p.Size, len(list), last.Int64)
	return page, tx.Commit()
}

// PageSessions implements Store: one page of the sessions, newest first,
// in the order they were created.
func (s *SQLite) PageSessions(ctx context.Context, p Page) (_ SessionsPage, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: list sessions: %w", classify(err))
		}
	}()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return SessionsPage{}, err
	}
	defer tx.Rollback()
	c := p.Cursor
	if c.IsZero() {
		var ok bool
		if c, ok, err = window(ctx, tx, `SELECT rowid AS k FROM sessions`, p.Limit); err != nil || !ok {
			return SessionsPage{}, err
		}
		c.After = c.Hi + 1 // newest first: After is the last key listed, above the next page
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+sessionColumns+`, rowid FROM sessions
		WHERE rowid < ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?`, c.After, c.Lo, c.Hi, limitArg(p.Size))
	if err != nil {
		return SessionsPage{}, err
	}
	defer rows.Close()
	var page SessionsPage
	last := c.Lo
	for rows.Next() {
		r, err := scanSession(rows, &last)
		if err != nil {
			return SessionsPage{}, err
		}
		page.Sessions = append(page.Sessions, r)
	}
	if err := rows.Err(); err != nil {
		return SessionsPage{}, err
	}
	if n := len(page.Sessions); p.Size > 0 && n == p.Size && last > c.Lo {
		c.After = last
		page.Next = &c
	}
	return page, tx.Commit()
}
