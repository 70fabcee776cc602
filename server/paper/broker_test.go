package paper

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
)

var d = money.MustParse

func btcQuote() market.Quote {
	return market.Quote{Symbol: "BTC-USD", Bid: d("59994"), Ask: d("60006"), Time: now}
}

func TestNewBroker(t *testing.T) {
	for _, bps := range []int64{0, DefaultFeeBps, 10_000} {
		b, err := NewBroker(bps)
		if err != nil || b.FeeBps() != bps {
			t.Errorf("NewBroker(%d) = %v, %v", bps, b, err)
		}
	}
	for _, bps := range []int64{-1, 10_001} {
		if _, err := NewBroker(bps); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("NewBroker(%d) error = %v", bps, err)
		}
	}
}

func TestSubmitFills(t *testing.T) {
	tests := []struct {
		side               broker.Side
		qty                string
		feeBps             int64
		wantPrice, wantFee string
	}{
		{broker.Buy, "0.5", 10, "60006", "30.003"},  // at the ask
		{broker.Sell, "0.5", 10, "59994", "29.997"}, // at the bid
		{broker.Buy, "0.0001", 10, "60006", "0.0060006"},
		{broker.Buy, "0.00000001", 10, "60006", "0.0000006"}, // notional 0.00060006 -> fee 0.00000060006 rounds to 0.0000006
		{broker.Sell, "2", 0, "59994", "0"},
	}
	for _, tt := range tests {
		b, _ := NewBroker(tt.feeBps)
		o := broker.Order{ClientID: "s-1", Symbol: "BTC-USD", Side: tt.side, Quantity: d(tt.qty)}
		fills, err := b.Submit(context.Background(), o, btcQuote(), nil)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		want := broker.Fill{ClientID: "s-1", Symbol: "BTC-USD", Side: tt.side, Quantity: d(tt.qty),
			Price: d(tt.wantPrice), Fee: d(tt.wantFee), Time: now}
		if len(fills) != 1 || fills[0] != want {
			t.Errorf("%s %s: fills %+v, want %+v", tt.side, tt.qty, fills, want)
		}
	}
}

func TestSubmitRejects(t *testing.T) {
	good := broker.Order{ClientID: "s-1", Symbol: "BTC-USD", Side: broker.Buy, Quantity: d("1")}
	tests := []struct {
		name  string
		order func(*broker.Order)
		quote func(*market.Quote)
		want  string
	}{
		{"no client id", func(o *broker.Order) { o.ClientID = "" }, nil, "no client id"},
		{"zero side", func(o *broker.Order) { o.Side = 0 }, nil, "invalid side 0"},
		{"bad side", func(o *broker.Order) { o.Side = 3 }, nil, "invalid side 3"},
		{"zero quantity", func(o *broker.Order) { o.Quantity = money.Decimal{} }, nil, "quantity 0 is not positive"},
		{"negative quantity", func(o *broker.Order) { o.Quantity = d("-1") }, nil, "quantity -1 is not positive"},
		{"symbol mismatch", func(o *broker.Order) { o.Symbol = "ETH-USD" }, nil, `order is for "ETH-USD" but the quote is for "BTC-USD"`},
		{"unknown symbol", func(o *broker.Order) { o.Symbol = "FOO-USD" }, func(q *market.Quote) { q.Symbol = "FOO-USD" },
			`unknown symbol "FOO-USD"; supported: ADA-USD`},
		{"zero bid", nil, func(q *market.Quote) { q.Bid = money.Decimal{} }, "unusable quote: bid 0, ask 60006"},
		{"crossed", nil, func(q *market.Quote) { q.Ask = d("59000") }, "unusable quote: bid 59994, ask 59000"},
		{"notional overflow", func(o *broker.Order) { o.Quantity = d("10000000") }, nil, "money: overflow"},
	}
	b, _ := NewBroker(DefaultFeeBps)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, q := good, btcQuote()
			if tt.order != nil {
				tt.order(&o)
			}
			if tt.quote != nil {
				tt.quote(&q)
			}
			dst := []broker.Fill{{ClientID: "earlier"}}
			got, err := b.Submit(context.Background(), o, q, dst)
			if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want a rejection containing %q", err, tt.want)
			}
			if len(got) != 1 || got[0].ClientID != "earlier" {
				t.Fatalf("rejected order changed dst: %+v", got)
			}
		})
	}
}

func TestSubmitHonoursContext(t *testing.T) {
	b, _ := NewBroker(DefaultFeeBps)
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	o := broker.Order{ClientID: "s-1", Symbol: "BTC-USD", Side: broker.Buy, Quantity: d("1")}
	got, err := b.Submit(ctx, o, btcQuote(), nil)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrRejected) || len(got) != 0 {
		t.Fatalf("Submit on a done context = %v, %v", got, err)
	}
}
