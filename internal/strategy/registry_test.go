package strategy

import (
	"errors"
	"reflect"
	"testing"
)

func TestSpecs(t *testing.T) {
	specs := Specs()
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
		for _, p := range s.Params {
			if p.Name == "" || p.Default == "" || p.Description == "" {
				t.Errorf("%s: incomplete param %+v", s.Name, p)
			}
		}
		// Every strategy builds from its defaults alone.
		if _, err := New(s.Name, nil); err != nil {
			t.Errorf("New(%q, defaults): %v", s.Name, err)
		}
	}
	if !reflect.DeepEqual(names, []string{"grid", "hold", "sma"}) {
		t.Fatalf("names %q", names)
	}
	// The caller owns the slices.
	specs[0].Params[0].Default = "changed"
	if Specs()[0].Params[0].Default == "changed" {
		t.Fatal("Specs shares its slices")
	}
}

func TestNewBuildsWithDefaultsAndOverrides(t *testing.T) {
	s, err := New("sma", nil)
	if err != nil || !reflect.DeepEqual(s.(*SMA).Config(), DefaultSMAConfig()) {
		t.Fatalf("sma defaults: %+v, %v", s, err)
	}
	s, err = New("sma", map[string]string{"fast": "3", "notional": "250.5"})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.(*SMA).Config(); c.Fast != 3 || c.Slow != 20 || c.Notional != d("250.5") {
		t.Fatalf("sma %+v", c)
	}
	g, err := New("grid", nil)
	if err != nil || !reflect.DeepEqual(g.(*Grid).Config(), DefaultGridConfig()) {
		t.Fatalf("grid defaults: %+v, %v", g, err)
	}
	g, err = New("grid", map[string]string{"levels": "2", "spacing_bps": "25", "quantity": "3", "recenter_levels": "4", "max_position": "0"})
	if err != nil {
		t.Fatal(err)
	}
	if c := g.(*Grid).Config(); !reflect.DeepEqual(c, GridConfig{Levels: 2, SpacingBps: 25, Quantity: d("3"), RecenterLevels: 4}) {
		t.Fatalf("grid %+v", c)
	}
	if _, ok := g.(Reporter); !ok {
		t.Fatal("the grid does not implement Reporter")
	}
	if h, err := New("hold", map[string]string{}); err != nil || h != (Hold{}) {
		t.Fatalf("hold: %v, %v", h, err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		want   string
		is     error
	}{
		{"ema", nil, `strategy: unknown strategy "ema"; known: grid, hold, sma`, ErrUnknownStrategy},
		{"", nil, `strategy: unknown strategy ""; known: grid, hold, sma`, ErrUnknownStrategy},
		{"sma", map[string]string{"fats": "3", "zzz": "1"}, `strategy: sma parameter "fats": unknown; valid parameters: fast, slow, notional`, ErrInvalidParam},
		{"hold", map[string]string{"x": "1"}, `strategy: hold parameter "x": unknown; hold takes no parameters`, ErrInvalidParam},
		{"sma", map[string]string{"fast": "three"}, `strategy: sma parameter "fast": must be an integer, got "three"`, ErrInvalidParam},
		{"sma", map[string]string{"notional": "1e3"}, `strategy: sma parameter "notional": must be a decimal number like 0.01, got "1e3"`, ErrInvalidParam},
		{"sma", map[string]string{"fast": "30"}, `strategy: sma parameter "slow": window must be longer than the fast window (30), got 20`, ErrInvalidParam},
		{"grid", map[string]string{"levels": "0"}, `strategy: grid parameter "levels": must be in [1, 50], got 0`, ErrInvalidParam},
		{"grid", map[string]string{"quantity": "-0.01"}, `strategy: grid parameter "quantity": must be positive, got -0.01`, ErrInvalidParam},
		{"grid", map[string]string{"spacing_bps": ""}, `strategy: grid parameter "spacing_bps": must be an integer, got ""`, ErrInvalidParam},
	}
	for _, tt := range tests {
		s, err := New(tt.name, tt.params)
		if s != nil || err == nil || err.Error() != tt.want || !errors.Is(err, tt.is) {
			t.Errorf("New(%q, %v) = %v, %v; want %s", tt.name, tt.params, s, err, tt.want)
		}
	}
	_, err := New("ema", nil)
	var unknown *UnknownStrategyError
	if !errors.As(err, &unknown) || unknown.Name != "ema" || !reflect.DeepEqual(unknown.Known, []string{"grid", "hold", "sma"}) {
		t.Fatalf("%#v", err)
	}
	_, err = New("grid", map[string]string{"levels": "x"})
	var bad *ParamError
	if !errors.As(err, &bad) || bad.Strategy != "grid" || bad.Param != "levels" {
		t.Fatalf("%#v", err)
	}
}

// A spacing so large that spacing × levels overflows must not pass.
func TestGridSpacingOverflowIsRefused(t *testing.T) {
	_, err := New("grid", map[string]string{"levels": "2", "spacing_bps": "4611686018427387904"})
	if !errors.Is(err, ErrInvalidParam) {
		t.Fatalf("err = %v", err)
	}
}
