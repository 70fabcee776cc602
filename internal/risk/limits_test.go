package risk

import (
	"errors"
	"testing"
)

func TestLimitsValidate(t *testing.T) {
	tests := []struct {
		limits      Limits
		field, want string // "" means valid
	}{
		{DefaultLimits(), "", ""},
		{Limits{}, "", ""},
		{Limits{MaxDrawdown: d("0.99999999"), MaxOrdersPerSecond: MaxOrdersPerSecondCeiling}, "", ""},
		{Limits{MaxOrderNotional: d("-1")}, "MaxOrderNotional", "risk: MaxOrderNotional must not be negative, got -1"},
		{Limits{MaxPosition: d("-0.1")}, "MaxPosition", "risk: MaxPosition must not be negative, got -0.1"},
		{Limits{MaxOpenOrders: -1}, "MaxOpenOrders", "risk: MaxOpenOrders must not be negative, got -1"},
		{Limits{MaxOrdersPerSecond: -1}, "MaxOrdersPerSecond", "risk: MaxOrdersPerSecond must be in [0, 100000], got -1"},
		{Limits{MaxOrdersPerSecond: 100_001}, "MaxOrdersPerSecond", "risk: MaxOrdersPerSecond must be in [0, 100000], got 100001"},
		{Limits{MaxDrawdown: d("1")}, "MaxDrawdown", "risk: MaxDrawdown must be a fraction of equity in [0, 1), got 1"},
		{Limits{MaxDrawdown: d("-0.05")}, "MaxDrawdown", "risk: MaxDrawdown must be a fraction of equity in [0, 1), got -0.05"},
		{Limits{MaxTrailingDrawdown: d("5")}, "MaxTrailingDrawdown", "risk: MaxTrailingDrawdown must be a fraction of equity in [0, 1), got 5"},
	}
	for _, tt := range tests {
		err := tt.limits.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.limits, err)
			}
			continue
		}
		var le *LimitError
		if !errors.As(err, &le) || le.Field != tt.field || err.Error() != tt.want {
			t.Errorf("%+v: %v, want %s", tt.limits, err, tt.want)
		}
	}
}

func TestNewPanicsOnBadInput(t *testing.T) {
	for name, f := range map[string]func(){
		"invalid limits":     func() { New(Limits{MaxOpenOrders: -1}, d("1")) },
		"no starting equity": func() { New(Limits{}, d("0")) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
