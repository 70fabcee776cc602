package remote

import (
	"testing"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/proto"
)

// account is a strategy.Context with cash and nothing else.
type account struct{}

func (account) Position(string) money.Decimal         { return money.Decimal{} }
func (account) OpenOrders(string) int                 { return 0 }
func (account) Cash() money.Decimal                   { return money.FromInt(1000) }
func (account) Filters(string) venue.Filters          { return venue.Filters{} }
func (account) Sellable(string) (money.Decimal, bool) { return money.Decimal{}, false }

// FuzzDecisions feeds arbitrary bytes as an answer to an event sent: the
// adapter must not panic, must answer every decision with either its
// actions or a refusal, and every action it returns must be a valid order.
func FuzzDecisions(f *testing.F) {
	seed := func(ds ...*tradingv1.StrategyDecision) {
		b, _ := proto.Marshal(&tradingv1.StrategyAnswer{EventSequence: 2, Decisions: ds})
		f.Add(b)
	}
	seed(limit("a", "BTC-USD", buy, "1", "100"), cancelTag("live"), replaceTag("live", "2", "99"))
	seed(limit("a", "DOGE-USD", sell, "-1", "x"), limit("a", "BTC-USD", buy, "1", "100"), cancelTag("a"))
	seed(&tradingv1.StrategyDecision{}, replaceTag("live", "0", "1"), limit("b", "ETH-USD", 9, "1e9", ""))
	f.Add([]byte{8, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ans tradingv1.StrategyAnswer
		if proto.Unmarshal(data, &ans) != nil {
			return
		}
		s, err := New(Config{Name: "f", Mode: Live, Symbols: syms, OnDetach: KeepOnDetach})
		if err != nil {
			t.Fatal(err)
		}
		s.Adopt(venue.OpenOrder{ClientID: "t-1", State: venue.StateAccepted, Spec: venue.OrderSpec{Symbol: "BTC-USD",
			Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC, Quantity: money.FromInt(1), Price: money.FromInt(90), Tag: "live"}})
		a, err := s.attach(hello())
		if err != nil {
			t.Fatal(err)
		}
		ev := bookEv("BTC-USD", 1, "100", "101")
		s.OnEvent(&ev, account{}, nil)
		for range 2 { // the snapshot and the book event (sequence 2)
			if e, _, _ := s.next(a, nil); e == nil {
				t.Fatal("nothing to send")
			}
		}
		s.deliver(a, &ans, nil)
		ev = bookEv("BTC-USD", 2, "100", "101")
		acts := s.OnEvent(&ev, account{}, nil)

		refused := map[int32]bool{}
		for _, q := range a.queue {
			if rf := q.GetRefused(); rf != nil && rf.EventSequence == ans.EventSequence {
				refused[rf.DecisionIndex] = true
			}
		}
		want := 0
		if !refused[-1] {
			for i, d := range ans.Decisions {
				if refused[int32(i)] {
					continue
				}
				switch d.GetAction().(type) {
				case *tradingv1.StrategyDecision_Place, *tradingv1.StrategyDecision_Cancel:
					want++
				case *tradingv1.StrategyDecision_Replace:
					want += 2
				default:
					t.Fatalf("decision %d has no action and was not refused", i)
				}
			}
		}
		if len(acts) != want {
			t.Fatalf("%d actions for %d decisions taken (refused %v)", len(acts), want, refused)
		}
		for _, act := range acts {
			checkAction(t, s, act)
		}
	})
}

func checkAction(t *testing.T, s *Strategy, a strategy.Action) {
	t.Helper()
	if a.Kind == strategy.ActionCancel {
		if a.CancelID != "t-1" {
			t.Fatalf("cancel of %q, which the strategy does not own", a.CancelID)
		}
		return
	}
	o := a.Order
	ok := a.Kind == strategy.ActionPlace && s.symbols[o.Symbol] && validTag(o.Tag) && o.Quantity.IsPositive() &&
		(o.Side == venue.Buy || o.Side == venue.Sell) &&
		((o.Type == venue.Limit && o.Price.IsPositive() && (o.TIF == venue.GTC || o.TIF == venue.IOC)) ||
			(o.Type == venue.Market && o.Price.IsZero() && !o.PostOnly))
	if !ok {
		t.Fatalf("invalid action %+v", a)
	}
}

var _ = market.EventBook
