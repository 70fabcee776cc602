package venueemu

import (
	"context"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/money"
)

// TestDepositTellsTheUserStream: a deposit over HTTP changes the balance,
// arrives as a documented balanceUpdate and an account position, and is in
// the ledger; an overdraft is refused and changes nothing.
func TestDepositTellsTheUserStream(t *testing.T) {
	e := start(t, Config{})
	user := subscribe(t, e)
	ctx := context.Background()
	if b, status, _ := httpDo(t, ctx, "POST", e.URL()+"/emulator/deposit", `{"asset":"USDT","delta":"250.5"}`, nil); status != 200 {
		t.Fatalf("deposit: %d %s", status, b)
	}
	var upd, pos []byte
	for upd == nil || pos == nil {
		b := readRaw(t, user)
		switch {
		case strings.Contains(string(b), `"e":"balanceUpdate"`):
			upd = b
		case strings.Contains(string(b), `"e":"outboundAccountPosition"`):
			pos = b
		}
	}
	checkShape(t, "balanceUpdate", upd, map[string]string{})
	if !strings.Contains(string(upd), `"a":"USDT","d":"250.50000000"`) || !strings.Contains(string(pos), `"f":"100250.50000000"`) {
		t.Fatalf("events %s / %s", upd, pos)
	}
	if err := e.Deposit("BTC", money.FromInt(-2)); err == nil {
		t.Fatal("withdrew 2 BTC of 1")
	}
	l := e.Ledger()
	if len(l.Transfers) != 1 || l.Transfers[0].Delta != dm("250.5") || l.Balances["USDT"].Free != dm("100250.5") || l.Balances["BTC"].Free != dm("1") {
		t.Fatalf("ledger transfers %+v, balances %+v", l.Transfers, l.Balances)
	}
}
