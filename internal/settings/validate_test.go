package settings

import (
	"errors"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
)

// The fields are named as the API names them: the service turns them into
// the field violations of a BadRequest.
func TestValidateNamesTheField(t *testing.T) {
	fee := func(v int64) *int64 { return &v }
	badRisk := risk.DefaultLimits()
	badRisk.MaxDrawdown = money.FromInt(2)
	for _, c := range []struct {
		s     Settings
		field string
	}{
		{Settings{}, "settings.mode"},
		{Settings{Mode: ModePaper, Symbols: []string{"NOPE-USD"}}, "settings.symbols"},
		{Settings{Mode: ModePaper, Symbols: make([]string, MaxSymbols+1)}, "settings.symbols"},
		{Settings{Mode: ModePaper, TickInterval: time.Millisecond}, "settings.tick_interval"},
		{Settings{Mode: ModePaper, HealthInterval: time.Millisecond}, "settings.health_interval"},
		{Settings{Mode: ModePaper, Duration: -time.Second}, "settings.duration"},
		{Settings{Mode: ModePaper, Duration: 500 * time.Millisecond}, "settings.duration"},
		{Settings{Mode: ModePaper, Strategy: "nope"}, "settings.strategy"},
		{Settings{Mode: ModePaper, Params: map[string]string{"fast": "x"}}, "settings.params[fast]"},
		{Settings{Mode: ModePaper, Risk: &badRisk}, "settings.risk.max_drawdown"},
		{Settings{Mode: ModePaper, MakerFeeBps: fee(-1)}, "settings.maker_fee_bps"},
		{Settings{Mode: ModePaper, TakerFeeBps: fee(MaxFeeBps + 1)}, "settings.taker_fee_bps"},
		{Settings{Mode: ModePaper, Latency: 2 * time.Minute}, "settings.latency"},
		{Settings{Mode: ModePaper, StartingCash: money.FromInt(-1)}, "settings.starting_cash"},
		{Settings{Mode: ModePaper, MaxBorrow: money.FromInt(1)}, "settings.max_borrow"},
		{Settings{Mode: ModePaper, BorrowRateBps: 1}, "settings.borrow_rate_bps"},
		{Settings{Mode: ModePaper, Account: AccountMargin}, "settings.max_borrow"},
		{Settings{Mode: ModePaper, Account: AccountMargin, MaxBorrow: money.FromInt(1), BorrowRateBps: MaxBorrowRateBps + 1}, "settings.borrow_rate_bps"},
		{Settings{Mode: ModePaper, Account: 9}, "settings.account"},
	} {
		err := c.s.Validate()
		var inv *InvalidError
		if !errors.As(err, &inv) || inv.Field != c.field || !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want invalid %s", c.s, err, c.field)
		}
	}
}

func TestValidate(t *testing.T) {
	// Whether live trading is available is the daemon's to say (it knows
	// whether it has a venue); the settings of a live session are valid.
	if err := (Settings{Mode: ModeLive}).Validate(); err != nil {
		t.Errorf("live: %v", err)
	}
	ok := Settings{Mode: ModePaper, Account: AccountMargin, MaxBorrow: money.FromInt(1000), BorrowRateBps: MaxBorrowRateBps}
	if err := ok.Validate(); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	if err := (Settings{Mode: ModePaper}).Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
