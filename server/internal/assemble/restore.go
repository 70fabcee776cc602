package assemble

import (
	"context"
	"errors"
	"time"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Restored is what a resumed session continues with beyond its parts.
type Restored struct {
	// OrderSeq is the last client order number used: none is reused.
	OrderSeq uint64
	Counts   coordinator.Counts
	// Traded is the trading time the session has had.
	Traded time.Duration
	// Peak is the session's peak equity and largest drawdown as last
	// committed; nil if no tick stored them.
	Peak *coordinator.EquityPeak
	// Open are the open orders adopted into Parts.Orders, with the numbers
	// of their last stored transition and fill, for the journal to
	// continue from.
	Open []OpenOrder
}

// OpenOrder is an open order a resumed session carries on.
type OpenOrder struct {
	ClientID           string
	Transitions, Fills int
}

// Restore rebuilds an interrupted session's parts and book from st, as of
// its last committed tick: its account, its risk state (a halt stays a
// halt), its venue with the orders resting there, its open orders and its
// counters. The market does not carry over: the paper simulator starts
// afresh, so prices may jump from the last marks. It only reads st.
func (a Paper) Restore(ctx context.Context, st store.Store, rec store.SessionRecord, s Spec) (Parts, *Restored, error) {
	id := rec.ID
	parts, err := a.Build(ctx, s) // a fresh market and strategy
	if err != nil {
		return Parts{}, nil, err
	}
	if err := restoreAccount(ctx, st, id, s, &parts); err != nil {
		return Parts{}, nil, err
	}
	if vs, err := st.LoadVenue(ctx, id, finishedIDs); err == nil {
		if parts.Venue, err = matching.Restore(venueConfig(s), vs); err != nil {
			return Parts{}, nil, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return Parts{}, nil, err
	}
	open, _, err := st.ListOrders(ctx, id, true, 0)
	if err != nil {
		return Parts{}, nil, err
	}
	r, err := adoptOpen(ctx, st, rec, parts.Orders, open)
	if err != nil {
		return Parts{}, nil, err
	}
	return parts, r, nil
}

// restoreAccount replaces the parts' portfolio and risk guard with their
// stored state, if a tick stored one.
func restoreAccount(ctx context.Context, st store.Store, id string, s Spec, parts *Parts) error {
	if ps, err := st.LoadPortfolio(ctx, id); err == nil {
		if parts.Portfolio, err = portfolio.Restore(ps); err != nil {
			return err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if rr, err := st.LoadRisk(ctx, id); err == nil {
		if parts.Risk, err = risk.RestoreGuard(*s.Risk, guardState(rr)); err != nil {
			return err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// adoptOpen adopts the stored open orders into book and returns what the
// resumed session continues with: its counters, its last client order
// number, and each open order's last transition and fill numbers.
func adoptOpen(ctx context.Context, st store.Store, rec store.SessionRecord, book *orders.Book, open []orders.Order) (*Restored, error) {
	id := rec.ID
	c := rec.Counters
	r := &Restored{Traded: c.Traded,
		Counts: coordinator.Counts{Ticks: c.Ticks, Events: c.Events, Orders: c.Orders, Fills: c.Fills, Rejects: c.Refused}}
	for _, o := range open {
		hist, err := st.OrderHistory(ctx, id, o.ClientID)
		if err != nil {
			return nil, err
		}
		if err := book.Adopt(o); err != nil {
			return nil, err
		}
		r.Open = append(r.Open, OpenOrder{ClientID: o.ClientID, Transitions: len(hist) - 1, Fills: len(o.Fills)})
	}
	var err error
	if r.OrderSeq, err = st.MaxOrderSeq(ctx, id); err != nil {
		return nil, err
	}
	switch p, err := st.LoadEquityPeak(ctx, id); {
	case err == nil:
		r.Peak = &coordinator.EquityPeak{Peak: p.Peak, MaxDrawdown: p.MaxDrawdown}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return r, nil
}

// guardState is the risk guard's state as the journal stored it.
func guardState(r store.RiskRow) risk.GuardState {
	return risk.GuardState{State: r.State, Reason: r.Reason, Since: r.Since,
		Start: r.StartEquity, Peak: r.PeakEquity, Equity: r.Equity, SentTimes: r.SentTimes}
}
