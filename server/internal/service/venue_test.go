package service

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
)

// A live fill shows the venue's trade id in ListFills, ListOrders and
// the order feed; a paper one shows 0.
func TestFillsShowTheVenueTradeID(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	const id = "0123456789abcdef"
	if err := st.CreateSession(ctx, store.SessionRecord{ID: id, State: store.StateStopped, Started: time.Now(),
		SettingsJSON: []byte(`{"Mode":2,"Symbols":["BTC-USD"]}`)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	cid := id + "-1"
	if err := st.CommitTick(ctx, &store.Batch{SessionID: id, Time: now,
		NewOrders: []store.OrderRow{{ClientID: cid, Seq: 1, Created: now, Spec: venue.OrderSpec{Symbol: "BTC-USD",
			Side: venue.Buy, Type: venue.Limit, TIF: venue.GTC, Quantity: money.FromInt(1), Price: money.FromInt(100)}}},
		Transitions: []store.TransitionRow{
			{ClientID: cid, Seq: 1, State: venue.StateAccepted, Remaining: money.FromInt(1), Time: now},
			{ClientID: cid, Seq: 2, State: venue.StateFilled, Filled: money.FromInt(1), Time: now}},
		Fills: []store.FillRow{{ClientID: cid, Seq: 1, Fill: orders.Fill{Quantity: money.FromInt(1), Price: money.FromInt(100),
			Fee: money.MustParse("0.1"), Time: now, TradeID: 9001}}},
		Events: []store.EventRow{{ClientID: cid}, {ClientID: cid, History: 1}, {ClientID: cid, History: 2, Fill: 1}},
	}); err != nil {
		t.Fatal(err)
	}
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}, Store: st})
	defer m.Shutdown(ctx)
	svc := NewTrading(m, st, nil)
	fills, err := svc.ListFills(ctx, &tradingv1.ListFillsRequest{SessionId: id})
	if err != nil || len(fills.GetFills()) != 1 || fills.GetFills()[0].GetFill().GetVenueTradeId() != 9001 {
		t.Fatalf("ListFills = %v, %v", fills, err)
	}
	list, err := svc.ListOrders(ctx, &tradingv1.ListOrdersRequest{SessionId: id})
	if err != nil || len(list.GetOrders()) != 1 || list.GetOrders()[0].GetFills()[0].GetVenueTradeId() != 9001 {
		t.Fatalf("ListOrders = %v, %v", list, err)
	}
	events, err := st.OrderEventsAfter(ctx, 0, 0)
	if err != nil || len(events) != 3 || orderEventToProto(&events[2]).GetFill().GetVenueTradeId() != 9001 {
		t.Fatalf("order events = %+v, %v", events, err)
	}
}

func TestGetVenueNeverWithoutOne(t *testing.T) {
	m := session.NewManager(session.Options{Assembler: assemble.Paper{}})
	defer m.Shutdown(context.Background())
	resp, err := NewTrading(m, nil, nil).GetVenue(context.Background(), &tradingv1.GetVenueRequest{})
	if err != nil || resp.GetConfigured() || resp.GetVenue() != "" {
		t.Fatalf("GetVenue without a venue = %v, %v", resp, err)
	}
	resp, err = NewTrading(m, nil, nil).WithVenue(assemble.VenueInfo{Venue: "binance", Environment: "production",
		Production: true, Quote: "USDT"}).GetVenue(context.Background(), &tradingv1.GetVenueRequest{})
	if err != nil || !resp.GetConfigured() || !resp.GetProduction() || resp.GetQuoteAsset() != "USDT" {
		t.Fatalf("GetVenue = %v, %v", resp, err)
	}
}
