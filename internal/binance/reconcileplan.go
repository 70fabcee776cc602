package binance

import (
	"sort"
	"strings"

	"github.com/tradectl/tradectl/internal/money"
)

// The comparison at the heart of a reconciliation is a pure function of
// what the loop's side believes (Snapshot) and what the venue said
// (venueView), so that it is tested and measured without a network.

// venueView is what one pass learned from the venue.
type venueView struct {
	Open     []OrderUpdate          // every open order of the listed symbols
	Queried  map[string]OrderUpdate // by client id: ours absent from Open
	NotFound map[string]bool        // by client id: -2013
	Trades   map[string][]Trade     // by client id: the order's trades
	Balances []Balance
	External map[string]money.Decimal
}

// reconcilePlan is what a pass hands over and does.
type reconcilePlan struct {
	Updates                  []OrderUpdate
	Missed                   []Trade
	Unacknowledged, Vanished []string
	Strays                   []OrderUpdate
	Drift                    []Drift
	Beyond                   bool
}

// missingFromOpen are our orders the venue's open orders do not include:
// filled, cancelled or unknown since; each is queried.
func missingFromOpen(snap Snapshot, open []OrderUpdate) []Recovered {
	onVenue := make(map[string]bool, len(open))
	for _, u := range open {
		onVenue[u.ClientID] = true
	}
	var out []Recovered
	for _, r := range snap.Open {
		if !onVenue[r.Order.ClientID] {
			out = append(out, r)
		}
	}
	return out
}

// needTrades are our orders whose executed quantity on the venue exceeds
// what we applied: the stream missed a fill.
func needTrades(snap Snapshot, v venueView) []Recovered {
	byID := indexOpen(v.Open)
	var out []Recovered
	for _, r := range snap.Open {
		u, ok := byID[r.Order.ClientID]
		if !ok {
			u, ok = v.Queried[r.Order.ClientID]
		}
		if ok && u.Executed.Cmp(r.Order.Filled) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func indexOpen(open []OrderUpdate) map[string]OrderUpdate {
	m := make(map[string]OrderUpdate, len(open))
	for _, u := range open {
		m[u.ClientID] = u
	}
	return m
}

// reconcileCompare decides a pass: the missed trades (each with the order's
// status, so that a final status is not applied ahead of its fills), then
// each order's status as the venue has it; orders the venue does not know;
// strays with our prefix; and each expected asset's drift.
//
// The balances are judged after the missed trades this pass hands over:
// the venue's balances include them, the expectation does not yet.
// vanishedReason ends an order the venue acknowledged and no longer knows.
const vanishedReason = "the venue no longer knows this order (-2013 after it had acknowledged it: its history was reset?); " +
	"ended here with the fills applied so far, nothing more can fill it"

func reconcileCompare(snap Snapshot, v venueView, quote string, tol money.Decimal) (p reconcilePlan, err error) {
	defer money.RecoverOverflow(&err)
	byID := indexOpen(v.Open)
	known := make(map[string]bool, len(snap.Open))
	for _, r := range snap.Open {
		id := r.Order.ClientID
		known[id] = true
		u, ok := byID[id]
		if !ok {
			u, ok = v.Queried[id]
		}
		if !ok {
			switch {
			case !v.NotFound[id]: // the query failed: next pass
			case !r.Order.Active:
				p.Unacknowledged = append(p.Unacknowledged, id)
			default:
				// The venue acknowledged it and now says it never
				// existed: its history was reset (the testnet's is, from
				// time to time). Nothing can fill it any more; it ends
				// here, with what we applied, saying so; else a stop or
				// an abandon would wait for a cancellation that never
				// comes.
				p.Vanished = append(p.Vanished, id)
				p.Updates = append(p.Updates, OrderUpdate{Symbol: r.Order.Spec.Symbol, ClientID: id,
					Status: StatusExpired, Executed: r.Order.Filled, Reason: vanishedReason})
			}
			continue
		}
		u.Symbol, u.ClientID = r.Order.Spec.Symbol, id
		if u.Executed.Cmp(r.Order.Filled) > 0 {
			applied := make(map[int64]bool, len(r.TradeIDs))
			for _, t := range r.TradeIDs {
				applied[t] = true
			}
			for _, t := range v.Trades[id] {
				if applied[t.ID] {
					continue
				}
				applied[t.ID] = true // a trade listed twice is still one
				t.Symbol, t.ClientID, t.OrderID = u.Symbol, id, u.OrderID
				if t.Side == 0 {
					t.Side = r.Order.Spec.Side
				}
				tu := u
				tu.Trade, tu.Time = &t, t.Time
				p.Updates = append(p.Updates, tu)
				p.Missed = append(p.Missed, t)
			}
		}
		p.Updates = append(p.Updates, u)
	}
	if snap.Prefix != "" {
		cutoff := snap.Taken.Add(-strangerMargin)
		for _, u := range v.Open {
			if known[u.ClientID] || !strings.HasPrefix(u.ClientID, snap.Prefix) {
				continue
			}
			if !snap.Taken.IsZero() && !u.Time.Before(cutoff) {
				continue // maybe placed since the snapshot: the next pass judges it
			}
			p.Strays = append(p.Strays, u)
		}
	}
	explained := make(map[string]money.Decimal, len(v.External)+2)
	for a, d := range v.External {
		explained[a] = d
	}
	for _, t := range p.Missed {
		tradeEffect(explained, t, quote)
	}
	p.Drift, p.Beyond = balanceDrift(snap.Expected, explained, v.Balances, tol)
	return p, nil
}

// tradeEffect adds what one fill does to the balances: a buy adds the base
// and pays the quote, a sell the reverse; the fee leaves its own asset.
func tradeEffect(dst map[string]money.Decimal, t Trade, quote string) {
	addEffect(dst, FillEffect(t.Symbol, t.Side, t.Quantity, t.Price, t.Fee, t.FeeAsset, quote))
}

// balanceDrift compares each expected asset, plus what explains a change
// (external transfers, fills handed over), with the venue's total, free plus locked.
func balanceDrift(expected, external map[string]money.Decimal, bs []Balance, tol money.Decimal) ([]Drift, bool) {
	actual := make(map[string]money.Decimal, len(bs))
	for _, b := range bs {
		actual[b.Asset] = actual[b.Asset].Add(b.Total())
	}
	assets := make([]string, 0, len(expected))
	for a := range expected {
		assets = append(assets, a)
	}
	sort.Strings(assets)
	var out []Drift
	beyond := false
	for _, a := range assets {
		exp := expected[a].Add(external[a])
		if act := actual[a]; act != exp {
			d := Drift{Asset: a, Expected: exp, Actual: act, Beyond: act.Sub(exp).Abs().Cmp(tol) > 0}
			beyond = beyond || d.Beyond
			out = append(out, d)
		}
	}
	return out, beyond
}
