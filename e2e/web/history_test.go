package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// History lists every session the store holds, not only the newest 100
// (ListSessions' default limit): "Show older sessions" pages on until the
// first session.
func TestHistoryListsEverySession(t *testing.T) {
	b := open(t)
	api := tradingv1.NewTradingServiceClient(b.d.Client(t).Conn())
	const sessions = 103
	began := time.Now()
	var first string
	for i := range sessions {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		st, err := api.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
			Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Symbols: []string{"BTC-USD"}, TickInterval: durationpb.New(time.Second)}})
		if err == nil {
			_, err = api.StopTrading(ctx, &tradingv1.StopTradingRequest{Deadline: durationpb.New(time.Second)})
		}
		cancel()
		if err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
		if i == 0 {
			first = st.GetSession().GetId()
		}
	}
	t.Logf("%d sessions started and stopped in %s", sessions, time.Since(began).Round(time.Millisecond))

	b.login()
	b.route("history")
	rows := `document.querySelectorAll("#sessions tbody tr[data-session-id]").length`
	b.waitFor("the first page", rows+" > 0", 20*time.Second)
	// Each click reads one more page; the button goes when none is left.
	for clicks := 0; eval[bool](b, visible("#history-more")); clicks++ {
		if clicks > sessions {
			t.Fatalf("still %q after %d clicks", "Show older sessions", clicks)
		}
		n := eval[int](b, rows)
		b.run("show older sessions", chromedp.Click(chromedp.ID("history-more")))
		b.waitFor("an older page", fmt.Sprintf(`%s > %d || %s`, rows, n, hidden("#history-more")), 20*time.Second)
	}
	if n := eval[int](b, rows); n != sessions {
		t.Errorf("History lists %d sessions, the store holds %d", n, sessions)
	}
	if !eval[bool](b, visible(fmt.Sprintf(`#sessions tbody tr[data-session-id=%q]`, first))) {
		t.Errorf("the first session, %s, is not listed", first)
	}
	if note := eval[string](b, `document.getElementById("history-note").textContent`); note != fmt.Sprintf("%d sessions shown, all there are.", sessions) {
		t.Errorf("History's note: %q", note)
	}
	b.shot("history every session")
}
