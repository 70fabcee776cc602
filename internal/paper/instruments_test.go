package paper

import (
	"slices"
	"strings"
	"testing"
)

func TestListing(t *testing.T) {
	syms := Symbols()
	if !slices.IsSorted(syms) || len(syms) < 8 {
		t.Fatalf("Symbols() = %v", syms)
	}
	for _, want := range []struct{ symbol, start, tick string }{
		{"BTC-USD", "60000", "0.01"},
		{"ETH-USD", "3000", "0.01"},
		{"SOL-USD", "150", "0.001"},
	} {
		in, ok := Lookup(want.symbol)
		if !ok || in.StartPrice.String() != want.start || in.TickSize.String() != want.tick {
			t.Errorf("Lookup(%s) = %+v, %v", want.symbol, in, ok)
		}
	}
	for _, s := range syms {
		in, ok := Lookup(s)
		if !ok || in.Symbol != s || in.Base+"-"+in.Quote != s || in.Quote != "USD" {
			t.Errorf("Lookup(%s) = %+v, %v", s, in, ok)
		}
		if !in.TickSize.IsPositive() || !in.StartPrice.IsPositive() || in.StartPrice.Units()%in.TickSize.Units() != 0 {
			t.Errorf("%s: start %s is not a positive multiple of tick %s", s, in.StartPrice, in.TickSize)
		}
		if err := ValidateSymbols([]string{s}); err != nil {
			t.Errorf("ValidateSymbols(%s): %v", s, err)
		}
	}
	if _, ok := Lookup("btc-usd"); ok {
		t.Error("Lookup is case-insensitive")
	}
	// The caller owns the slice.
	syms[0] = "X"
	if Symbols()[0] == "X" {
		t.Error("Symbols shares its slice")
	}
}

func TestValidateSymbols(t *testing.T) {
	supported := strings.Join(Symbols(), ", ")
	tests := []struct {
		symbols []string
		want    string // "" means valid
	}{
		{[]string{"BTC-USD"}, ""},
		{[]string{"ETH-USD", "BTC-USD", "SOL-USD"}, ""},
		{nil, "no symbols given; supported: " + supported},
		{[]string{"FOO-USD"}, `unknown symbol "FOO-USD"; supported: ` + supported},
		{[]string{"BTC-USD", "BTC-EUR"}, `unknown symbol "BTC-EUR"`},
		{[]string{"BTC-USD", "ETH-USD", "BTC-USD"}, `symbol "BTC-USD" given more than once`},
		{[]string{"btc-usd"}, `malformed symbol "btc-usd"`},
		{[]string{"BTCUSD"}, `malformed symbol "BTCUSD"`},
		{[]string{"BTC-"}, `malformed symbol "BTC-"`},
		{[]string{"-USD"}, `malformed symbol "-USD"`},
		{[]string{"BTC-USD-X"}, `malformed symbol "BTC-USD-X"`},
		{[]string{"BTC_USD"}, `malformed symbol "BTC_USD"`},
		{[]string{" BTC-USD"}, `malformed symbol " BTC-USD"`},
		{[]string{""}, `malformed symbol ""`},
		{[]string{strings.Repeat("A", 40) + "-USD"}, `malformed symbol "` + strings.Repeat("A", 32) + `"`},
	}
	for _, tt := range tests {
		err := ValidateSymbols(tt.symbols)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("ValidateSymbols(%q): %v", tt.symbols, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), "paper: ") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("ValidateSymbols(%q) = %v, want error containing %q", tt.symbols, err, tt.want)
		}
	}
}
