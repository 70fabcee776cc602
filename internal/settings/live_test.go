package settings

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
)

// A live session trades the venue's symbols, not the paper simulator's:
// any well-formed BASE-USD passes, anything else is refused by name.
func TestLiveSymbols(t *testing.T) {
	ok := Settings{Mode: ModeLive, Symbols: []string{"BTC-USD", "PEPE-USD", "1INCH-USD"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("%v: %v", ok.Symbols, err)
	}
	if err := (Settings{Mode: ModePaper, Symbols: []string{"PEPE-USD"}}).Validate(); err == nil {
		t.Fatal("paper accepted a symbol its simulator does not have")
	}
	for _, syms := range [][]string{{"BTC-EUR"}, {"btc-USD"}, {"BTCUSDT"}, {"-USD"}, {"BTC-USD", "BTC-USD"}, {"BT C-USD"}} {
		var inv *InvalidError
		if err := (Settings{Mode: ModeLive, Symbols: syms}).Validate(); !errors.As(err, &inv) || inv.Field != "settings.symbols" {
			t.Errorf("live %q: %v, want settings.symbols refused", syms, err)
		}
	}
}

// Every limit off or left to its default is named, all in one answer.
func TestRequireAllLimits(t *testing.T) {
	all := []string{"settings.risk.max_order_notional", "settings.risk.max_position", "settings.risk.max_open_orders",
		"settings.risk.max_orders_per_second", "settings.risk.max_drawdown", "settings.risk.max_trailing_drawdown"}
	fields := func(err error) []string {
		var fe *FieldsError
		if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("%v: want a *FieldsError wrapping ErrInvalid", err)
		}
		var names []string
		for _, f := range fe.Fields {
			names = append(names, f.Field)
		}
		return names
	}
	if got := fields((Settings{Mode: ModeLive}).RequireAllLimits()); !reflect.DeepEqual(got, all) {
		t.Errorf("no limits given: %v, want %v", got, all)
	}
	l := risk.DefaultLimits() // position is not capped by default
	if got := fields((Settings{Mode: ModeLive, Risk: &l}).RequireAllLimits()); !reflect.DeepEqual(got, all[1:2]) {
		t.Errorf("the defaults: %v, want %v", got, all[1:2])
	}
	l.MaxPosition = money.MustParse("0.5")
	if err := (Settings{Mode: ModeLive, Risk: &l}).RequireAllLimits(); err != nil {
		t.Errorf("every limit set: %v", err)
	}
}

// The paper venue's settings are refused in a live session, each named,
// rather than ignored.
func TestLiveRefusesPaperSettings(t *testing.T) {
	bps := int64(3)
	s := Settings{Mode: ModeLive, Seed: 9, MakerFeeBps: &bps, Latency: time.Millisecond, StartingCash: money.FromInt(5)}
	var fe *FieldsError
	if err := s.Validate(); !errors.As(err, &fe) || len(fe.Fields) != 4 || fe.Fields[0].Field != "settings.seed" ||
		fe.Fields[3].Field != "settings.starting_cash" {
		t.Fatalf("%v, want the four named", err)
	}
	s.Mode = ModePaper
	if err := s.Validate(); err != nil {
		t.Fatalf("paper: %v", err)
	}
}
