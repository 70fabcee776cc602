package live

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venueemu"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// quote is the venue asset our USD stands for (tradingd's and the
// emulator's default).
const quote = "USDT"

// venueSymbol is the venue's name of our symbol: BTC-USD trades as BTCUSDT.
func venueSymbol(ours string) string { return strings.TrimSuffix(ours, "-USD") + quote }

// tally is what checkAgreement compared.
type tally struct{ orders, venueOrders, fills int }

// checkAgreement compares the venue's record with what tradingd stored of
// the given (stopped) sessions, which traded one after another on the
// venue's one account from its opening balances:
//   - order by order: every order the venue accepted is stored under its
//     client id with the same symbol, side, type, quantity, price, filled
//     quantity and final state; every stored order the venue does not
//     hold was refused (by us, or by the venue's verdict) and never filled;
//     every order request the venue received names an order we stored (an
//     unknown one would be an order we lost); no client id arrived twice;
//   - fill by fill: every venue trade is stored once, by its trade id, on
//     the same order with the same quantity, price and fee (the quote
//     asset's commission), and every stored fill is a venue trade;
//   - to the last unit: the venue's balance change of each asset is what
//     the sessions' portfolios hold of it (positions for a base asset,
//     cash minus starting cash for the quote), and each session started
//     from the cash the venue held then.
func checkAgreement(t *testing.T, ctx context.Context, c *client.Client, l venueemu.Ledger,
	opening map[string]money.Decimal, sessions []string) tally {
	t.Helper()
	var n tally
	if again := l.Resubmitted(); len(again) > 0 {
		t.Errorf("client order ids submitted more than once: %v", again)
	}
	if len(l.Transfers) > 0 {
		t.Fatalf("the venue saw transfers %v: balances cannot be explained by trades alone", l.Transfers)
	}
	stored := map[string]*tradingv1.Order{}
	type tradeKey struct {
		symbol string
		id     int64
	}
	storedFills := map[tradeKey]*tradingv1.StoredFill{}
	change := map[string]money.Decimal{} // what the portfolios say the sessions changed of each asset
	cash := opening[quote]
	for _, id := range sessions {
		list, err := c.ListOrders(ctx, false, 1_000_000, client.ForSession(id))
		if err != nil {
			t.Fatalf("session %s: orders: %v", id, err)
		}
		fills, err := c.ListFills(ctx, id, 1_000_000)
		if err != nil {
			t.Fatalf("session %s: fills: %v", id, err)
		}
		p, err := c.GetPortfolio(ctx, client.ForSession(id))
		if err != nil {
			t.Fatalf("session %s: portfolio: %v", id, err)
		}
		pf := p.GetPortfolio()
		// The session's own books first: fills add up to each order and
		// to the account, to the last unit.
		inOrders, err := harness.Reconcile(list, pf)
		if err != nil {
			t.Fatalf("session %s: %v", id, err)
		}
		if inOrders != len(fills.GetFills()) || fills.GetOmitted() != 0 {
			t.Fatalf("session %s: orders carry %d fills, the fills table %d (%d omitted)", id, inOrders,
				len(fills.GetFills()), fills.GetOmitted())
		}
		for _, o := range list.GetOrders() {
			if stored[o.GetClientOrderId()] != nil {
				t.Errorf("client order id %s stored twice", o.GetClientOrderId())
			}
			stored[o.GetClientOrderId()] = o
		}
		for _, f := range fills.GetFills() {
			k := tradeKey{venueSymbol(f.GetSymbol()), f.GetFill().GetVenueTradeId()}
			if k.id <= 0 {
				t.Errorf("fill %d of %s has no venue trade id", f.GetSequence(), f.GetClientOrderId())
				continue
			}
			if storedFills[k] != nil {
				t.Errorf("venue trade %s #%d stored twice: on %s and %s", k.symbol, k.id,
					storedFills[k].GetClientOrderId(), f.GetClientOrderId())
			}
			storedFills[k] = f
		}
		if start := dec(t, pf.GetStartingCash()); start != cash {
			t.Errorf("session %s started with cash %s; the venue held %s %s then", id, start, cash, quote)
		}
		delta := dec(t, pf.GetCash()).Sub(dec(t, pf.GetStartingCash()))
		cash = cash.Add(delta)
		change[quote] = change[quote].Add(delta)
		for _, ps := range pf.GetPositions() {
			base := strings.TrimSuffix(ps.GetSymbol(), "-USD")
			change[base] = change[base].Add(dec(t, ps.GetQuantity()))
		}
	}
	n.orders, n.fills = len(stored), len(storedFills)

	atVenue := map[string]bool{}
	for _, vo := range l.Orders {
		atVenue[vo.ClientID] = true
		o := stored[vo.ClientID]
		if o == nil {
			t.Errorf("LOST ORDER: the venue holds %s %s %s %s (%s, filled %s) and our store does not", vo.ClientID,
				vo.Symbol, vo.Side, vo.Quantity, vo.Status, vo.Executed)
			continue
		}
		if why := orderDiffers(t, vo, o); why != "" {
			t.Errorf("order %s: venue and store differ: %s", vo.ClientID, why)
		}
	}
	n.venueOrders = len(l.Orders)
	for _, r := range l.Requests {
		if stored[r.ClientID] == nil {
			t.Errorf("the venue received an order request %s (%s) that our store does not hold", r.ClientID, r.Verdict)
		}
		if r.Accepted && !atVenue[r.ClientID] {
			t.Errorf("the venue accepted %s but does not list it", r.ClientID)
		}
	}
	for id, o := range stored {
		if atVenue[id] {
			continue
		}
		if o.GetState() != tradingv1.OrderState_ORDER_STATE_REJECTED || !dec(t, o.GetFilledQuantity()).IsZero() {
			t.Errorf("order %s is %s, filled %s, in our store, and the venue never accepted it", id, o.GetState(), o.GetFilledQuantity())
		}
	}

	for _, tr := range l.Trades {
		k := tradeKey{tr.Symbol, tr.ID}
		f := storedFills[k]
		if f == nil {
			t.Errorf("LOST FILL: venue trade %s #%d of %s (%s at %s) is not in our store", tr.Symbol, tr.ID, tr.ClientID, tr.Quantity, tr.Price)
			continue
		}
		delete(storedFills, k)
		if tr.CommissionAsset != quote {
			t.Fatalf("venue trade %s #%d charged in %s: this check expects commission in %s", tr.Symbol, tr.ID, tr.CommissionAsset, quote)
		}
		got := fmt.Sprintf("%s %s qty %s price %s fee %s", f.GetClientOrderId(), f.GetSide(), dec(t, f.GetFill().GetQuantity()),
			dec(t, f.GetFill().GetPrice()), dec(t, f.GetFill().GetFee()))
		want := fmt.Sprintf("%s ORDER_SIDE_%s qty %s price %s fee %s", tr.ClientID, tr.Side, tr.Quantity, tr.Price, tr.Commission)
		if got != want {
			t.Errorf("venue trade %s #%d: venue says %s; store says %s", tr.Symbol, tr.ID, want, got)
		}
	}
	for k, f := range storedFills {
		t.Errorf("stored fill of %s claims venue trade %s #%d, which the venue never made", f.GetClientOrderId(), k.symbol, k.id)
	}

	for asset := range union(opening, l.Balances) {
		b := l.Balances[asset]
		venueChange := b.Free.Add(b.Locked).Sub(opening[asset])
		if venueChange != change[asset] {
			t.Errorf("%s: the venue's balance moved by %s; our portfolios say %s", asset, venueChange, change[asset])
		}
		delete(change, asset)
	}
	for asset, d := range change {
		if !d.IsZero() {
			t.Errorf("%s: our portfolios say %s changed; the venue has no such balance", asset, d)
		}
	}
	return n
}

// orderDiffers says how a stored order differs from the venue's, or "".
func orderDiffers(t *testing.T, vo venueemu.Order, o *tradingv1.Order) string {
	var diffs []string
	add := func(what string, venue, ours any) {
		if fmt.Sprint(venue) != fmt.Sprint(ours) {
			diffs = append(diffs, fmt.Sprintf("%s: venue %v, store %v", what, venue, ours))
		}
	}
	add("symbol", vo.Symbol, venueSymbol(o.GetSymbol()))
	add("side", "ORDER_SIDE_"+vo.Side, o.GetSide())
	add("quantity", vo.Quantity, dec(t, o.GetQuantity()))
	add("filled", vo.Executed, dec(t, o.GetFilledQuantity()))
	typ := "MARKET"
	if o.GetType() == tradingv1.OrderType_ORDER_TYPE_LIMIT {
		typ = "LIMIT"
		if o.GetPostOnly() {
			typ = "LIMIT_MAKER"
		}
		add("price", vo.Price, dec(t, o.GetPrice()))
	}
	add("type", vo.Type, typ)
	state := map[string]tradingv1.OrderState{"FILLED": tradingv1.OrderState_ORDER_STATE_FILLED,
		"CANCELED": tradingv1.OrderState_ORDER_STATE_CANCELLED, "EXPIRED": tradingv1.OrderState_ORDER_STATE_CANCELLED}
	if want, final := state[vo.Status]; !final {
		diffs = append(diffs, fmt.Sprintf("still %s at the venue after the stop (store: %s)", vo.Status, o.GetState()))
	} else {
		add("state", want, o.GetState())
	}
	return strings.Join(diffs, "; ")
}

func dec(t *testing.T, s string) money.Decimal {
	t.Helper()
	if s == "" {
		return money.Decimal{}
	}
	d, err := money.Parse(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return d
}

func union(a map[string]money.Decimal, b map[string]venueemu.Balance) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
