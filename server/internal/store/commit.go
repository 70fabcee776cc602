package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tradectl/tradectl/internal/matching"
)

// CommitTick writes b in one transaction: new orders (each with history row
// 0, NEW), transitions (a history row each, and the order's current state),
// fills, the order events (numbered, see EventRow.Seq), then the portfolio,
// risk and venue states and the equity point that are not nil. Any
// error rolls all of it back; an error wrapping ErrDuplicate means a row of
// b was stored before (a retried batch whose first commit went through).
//
// It waits for the disk only under DurabilityMachine. On any other error
// the loop's memory is ahead of the disk: the caller should stop trading
// rather than carry on with books it cannot keep.
func (s *SQLite) CommitTick(ctx context.Context, b *Batch) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: commit tick of session %q: %w", b.SessionID, err)
		}
	}()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	t := &txStmts{ctx: ctx, tx: tx, all: s.stmts}
	ticks, events, orders, fills, refused, traded := counterArgs(b.Counters)
	if ok, err := t.execOne(touchSession, nanos(b.Time), ticks, events, orders, fills, refused, traded, b.SessionID); err != nil {
		return classify(err)
	} else if !ok {
		return fmt.Errorf("%w: no such session", ErrInvalid)
	}
	if err := writeOrders(t, b); err != nil {
		return err
	}
	if err := writeEvents(t, b); err != nil {
		return err
	}
	if err := writeAccount(t, b); err != nil {
		return err
	}
	if b.Venue != nil {
		if err := writeVenue(t, b.SessionID, b.Venue); err != nil {
			return fmt.Errorf("venue: %w", err)
		}
	}
	if b.Equity != nil {
		every, err := writeEquity(t, b.SessionID, *b.Equity, s.opts.EquityEvery)
		if err != nil {
			return fmt.Errorf("equity: %w", err)
		}
		b.EquityEvery = every
	}
	if p := b.Peak; p != nil {
		if _, err := t.exec(upsertPeak, b.SessionID, int64(s.opts.EquityEvery), units(p.Peak), units(p.MaxDrawdown)); err != nil {
			return fmt.Errorf("equity peak: %w", classify(err))
		}
	}
	return classify(tx.Commit())
}

func writeOrders(t *txStmts, b *Batch) error {
	id := b.SessionID
	for i := range b.NewOrders {
		o := &b.NewOrders[i]
		sp := &o.Spec
		if _, err := t.exec(insertOrder, id, o.ClientID, int64(o.Seq), sp.Symbol, int(sp.Side), int(sp.Type), int(sp.TIF),
			sp.PostOnly, units(sp.Quantity), units(sp.Price), units(o.DecisionPrice), nanos(o.Created), sp.Tag); err != nil {
			return fmt.Errorf("new order %q: %w", o.ClientID, classify(err))
		}
		if _, err := t.exec(insertHistory, id, o.ClientID, 0, "NEW", "", 0, units(sp.Quantity), nanos(o.Created)); err != nil {
			return fmt.Errorf("new order %q: history: %w", o.ClientID, classify(err))
		}
	}
	for i := range b.Transitions {
		tr := &b.Transitions[i]
		if _, err := t.exec(insertHistory, id, tr.ClientID, tr.Seq, tr.State.String(), tr.Reason,
			units(tr.Filled), units(tr.Remaining), nanos(tr.Time)); err != nil {
			return fmt.Errorf("order %q transition %d: %w", tr.ClientID, tr.Seq, classify(err))
		}
		ok, err := t.execOne(advanceOrder, tr.State.String(), tr.Reason, units(tr.Filled), units(tr.Remaining),
			nanos(tr.Time), tr.Seq, id, tr.ClientID)
		if err != nil {
			return fmt.Errorf("order %q transition %d: %w", tr.ClientID, tr.Seq, classify(err))
		}
		if !ok {
			return fmt.Errorf("order %q transition %d: %w: %s", tr.ClientID, tr.Seq, ErrInvalid, explainSeq(t, id, tr.ClientID))
		}
	}
	for i := range b.Refusals {
		r := &b.Refusals[i]
		if _, err := t.exec(upsertRefusal, id, r.Rule, r.Symbol, int(r.Side), int64(r.Count), nanos(r.First),
			nanos(r.Last), r.Reason); err != nil {
			return fmt.Errorf("refusals %s %s %s: %w", r.Rule, r.Symbol, r.Side, classify(err))
		}
	}
	for i := range b.Fills {
		f := &b.Fills[i]
		if _, err := t.exec(insertFill, id, f.ClientID, f.Seq, units(f.Quantity), units(f.Price), units(f.Fee),
			int(f.Liquidity), units(f.Slippage), nanos(f.Time), f.TradeID, f.FeeAsset, units(f.FeeNative)); err != nil {
			return fmt.Errorf("order %q fill %d: %w", f.ClientID, f.Seq, classify(err))
		}
	}
	return nil
}

// writeEvents appends b's events and numbers them with the rowids they
// got: numbers are only handed out by a transaction that commits them.
func writeEvents(t *txStmts, b *Batch) error {
	for i := range b.Events {
		e := &b.Events[i]
		res, err := t.exec(insertEvent, b.SessionID, e.ClientID, e.History, e.Fill, units(e.AveragePrice), units(e.Fees))
		if err != nil {
			return fmt.Errorf("order %q event: %w", e.ClientID, classify(err))
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("order %q event: %w", e.ClientID, classify(err))
		}
		e.Seq = uint64(seq)
	}
	return nil
}

// explainSeq says why a transition matched no order row.
func explainSeq(t *txStmts, sessionID, clientID string) string {
	var last int
	err := t.tx.QueryRowContext(t.ctx, `SELECT last_seq FROM orders WHERE session_id = ? AND client_id = ?`,
		sessionID, clientID).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "no such order"
	case err != nil:
		return err.Error()
	}
	return fmt.Sprintf("the order's last transition is %d", last)
}

func writeAccount(t *txStmts, b *Batch) error {
	id := b.SessionID
	if p := b.Portfolio; p != nil {
		if _, err := t.exec(upsertPortfolio, id, p.QuoteCurrency, units(p.StartingCash), units(p.Cash),
			units(p.RealizedPnL), units(p.FeesPaid)); err != nil {
			return fmt.Errorf("portfolio: %w", classify(err))
		}
		if _, err := t.exec(deletePositions, id); err != nil {
			return fmt.Errorf("portfolio: %w", classify(err))
		}
		for _, ps := range p.Positions {
			if _, err := t.exec(insertPosition, id, ps.Symbol, units(ps.Quantity), units(ps.CostBasis), units(ps.Mark),
				ps.Marked, units(ps.RealizedPnL), units(ps.FeesPaid)); err != nil {
				return fmt.Errorf("portfolio: position %q: %w", ps.Symbol, classify(err))
			}
		}
		if _, err := t.exec(deleteReservations, id); err != nil {
			return fmt.Errorf("portfolio: %w", classify(err))
		}
		for _, r := range p.Reservations {
			if _, err := t.exec(insertReservation, id, r.ClientID, r.Symbol, int(r.Side), units(r.Remaining),
				units(r.Amount)); err != nil {
				return fmt.Errorf("portfolio: reservation %q: %w", r.ClientID, classify(err))
			}
		}
	}
	if r := b.Risk; r != nil {
		sent, err := json.Marshal(r.SentTimes)
		if err != nil {
			return fmt.Errorf("risk: %w", err)
		}
		if r.SentTimes == nil {
			sent = []byte("[]")
		}
		if _, err := t.exec(upsertRisk, id, r.State.String(), r.Reason, nanos(r.Since), units(r.StartEquity),
			units(r.PeakEquity), units(r.Equity), string(sent)); err != nil {
			return fmt.Errorf("risk: %w", classify(err))
		}
	}
	return nil
}

// counterArgs binds Counters to touchSession; nil keeps the stored ones.
func counterArgs(c *Counters) (ticks, events, orders, fills, refused, traded any) {
	if c == nil {
		return nil, nil, nil, nil, nil, nil
	}
	return int64(c.Ticks), int64(c.Events), int64(c.Orders), int64(c.Fills), int64(c.Refused), int64(c.Traded)
}

// writeVenue replaces the venue's live orders and appends the finished ids
// that are new since the last commit (see the venue_finished table).
func writeVenue(t *txStmts, id string, v *matching.State) error {
	if _, err := t.exec(upsertVenue, id, int64(v.Seq)); err != nil {
		return classify(err)
	}
	if _, err := t.exec(deleteVenueOrders, id); err != nil {
		return classify(err)
	}
	for i := range v.Orders {
		o := &v.Orders[i]
		sp := &o.Spec
		if _, err := t.exec(insertVenueOrder, id, o.ClientID, int64(o.Seq), sp.Symbol, int(sp.Side), int(sp.Type),
			int(sp.TIF), sp.PostOnly, units(sp.Quantity), units(sp.Price), nanos(o.Submitted), nanos(o.Arrival),
			units(o.DecisionPrice), units(o.Filled), o.State.String(), o.Active, o.Queue, sp.Tag); err != nil {
			return fmt.Errorf("order %q: %w", o.ClientID, classify(err))
		}
	}
	var pos int64
	var last string
	err := t.get(lastFinished).QueryRowContext(t.ctx, id).Scan(&pos, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return classify(err)
	}
	// The ring holds the newest finished ids, oldest first, so what is new
	// follows the last one stored. If that one is not there, more ids
	// finished than the ring holds and all of them are new.
	fresh := v.Finished
	for i := len(fresh) - 1; i >= 0 && last != ""; i-- {
		if fresh[i].ClientID == last {
			fresh = fresh[i+1:]
			break
		}
	}
	for _, f := range fresh {
		pos++
		if _, err := t.exec(insertFinished, id, pos, f.ClientID, f.State.String()); err != nil {
			return fmt.Errorf("finished order %q: %w", f.ClientID, classify(err))
		}
	}
	return nil
}
