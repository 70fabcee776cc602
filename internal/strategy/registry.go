package strategy

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tradectl/tradectl/internal/echo"
	"github.com/tradectl/tradectl/internal/money"
)

// Spec describes a strategy the registry can build.
type Spec struct {
	Name, Description string
	Params            []Param
}

// Param is one parameter of a strategy, with its default as text.
type Param struct {
	Name, Default, Description string
}

// ErrUnknownStrategy and ErrInvalidParam are matched with errors.Is by the
// errors of New.
var (
	ErrUnknownStrategy = errors.New("strategy: unknown strategy")
	ErrInvalidParam    = errors.New("strategy: invalid parameter")
)

// UnknownStrategyError is New's error for a name it does not know.
type UnknownStrategyError struct {
	Name  string
	Known []string
}

func (e *UnknownStrategyError) Error() string {
	return "strategy: unknown strategy " + echo.Quote(e.Name) + "; known: " + strings.Join(e.Known, ", ")
}

func (e *UnknownStrategyError) Is(target error) bool { return target == ErrUnknownStrategy }

// ParamError says which parameter of which strategy is wrong, and why.
type ParamError struct {
	Strategy, Param, Reason string
}

func (e *ParamError) Error() string {
	return "strategy: " + e.Strategy + " parameter " + echo.Quote(e.Param) + ": " + e.Reason
}

func (e *ParamError) Is(target error) bool { return target == ErrInvalidParam }

// entry is a registered strategy: its spec and how to build it from
// parameters that are known and defaulted.
type entry struct {
	spec  Spec
	build func(p paramReader) (Strategy, error)
}

// registry is sorted by name.
var registry = []entry{gridEntry, holdEntry, smaEntry}

// Specs describes the registered strategies, sorted by name, in a slice
// the caller owns.
func Specs() []Spec {
	out := make([]Spec, len(registry))
	for i, e := range registry {
		out[i] = e.spec
		out[i].Params = slices.Clone(e.spec.Params)
	}
	return out
}

// New builds the strategy called name with params, which may omit any
// parameter to take its default. It returns an *UnknownStrategyError for a
// name it does not know and a *ParamError for a parameter that is unknown,
// malformed or out of range.
func New(name string, params map[string]string) (Strategy, error) {
	i := slices.IndexFunc(registry, func(e entry) bool { return e.spec.Name == name })
	if i < 0 {
		known := make([]string, len(registry))
		for i, e := range registry {
			known[i] = e.spec.Name
		}
		return nil, &UnknownStrategyError{Name: name, Known: known}
	}
	e := registry[i]
	valid := make([]string, len(e.spec.Params))
	for i, p := range e.spec.Params {
		valid[i] = p.Name
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if !slices.Contains(valid, k) {
			reason := "unknown; valid parameters: " + strings.Join(valid, ", ")
			if len(valid) == 0 {
				reason = "unknown; " + name + " takes no parameters"
			}
			return nil, &ParamError{Strategy: name, Param: k, Reason: reason}
		}
	}
	return e.build(paramReader{spec: e.spec, values: params})
}

// paramReader reads a strategy's parameters, falling back to their defaults.
type paramReader struct {
	spec   Spec
	values map[string]string
}

func (p paramReader) raw(name string) string {
	if v, ok := p.values[name]; ok {
		return v
	}
	for _, d := range p.spec.Params {
		if d.Name == name {
			return d.Default
		}
	}
	panic("strategy: " + p.spec.Name + " reads undeclared parameter " + name)
}

func (p paramReader) int(name string) (int, error) {
	v := p.raw(name)
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &ParamError{Strategy: p.spec.Name, Param: name, Reason: "must be an integer, got " + echo.Quote(v)}
	}
	return n, nil
}

func (p paramReader) decimal(name string) (money.Decimal, error) {
	v := p.raw(name)
	d, err := money.Parse(v)
	if err != nil {
		return d, &ParamError{Strategy: p.spec.Name, Param: name,
			Reason: "must be a decimal number like 0.01, got " + echo.Quote(v)}
	}
	return d, nil
}

var holdEntry = entry{
	spec: Spec{Name: "hold", Description: "Never trades: the trivial strategy for throughput benchmarks, or a session that only watches."},
	build: func(paramReader) (Strategy, error) {
		return Hold{}, nil
	},
}

var smaEntry = entry{
	spec: Spec{
		Name:        "sma",
		Description: "Long-only moving-average crossover of the mid: market buy on a cross up when flat, sell all on a cross down.",
		Params: []Param{
			{"fast", "5", "fast window, in book events"},
			{"slow", "20", "slow window, in book events; longer than fast, at most 500"},
			{"notional", "1000", "quote currency spent per entry"},
		},
	},
	build: func(p paramReader) (Strategy, error) {
		var cfg SMAConfig
		var err error
		if cfg.Fast, err = p.int("fast"); err != nil {
			return nil, err
		}
		if cfg.Slow, err = p.int("slow"); err != nil {
			return nil, err
		}
		if cfg.Notional, err = p.decimal("notional"); err != nil {
			return nil, err
		}
		s, err := NewSMA(cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	},
}

// Effective is every parameter of the strategy called name, given or
// defaulted, each in a canonical form (a number as money.Decimal prints
// it: "05" and "5.0" are "5"), so that two requests asking for the same
// strategy compare equal however they spelled it. It fails as New does.
func Effective(name string, params map[string]string) (map[string]string, error) {
	if _, err := New(name, params); err != nil {
		return nil, err
	}
	e := registry[slices.IndexFunc(registry, func(e entry) bool { return e.spec.Name == name })]
	p := paramReader{spec: e.spec, values: params}
	out := make(map[string]string, len(e.spec.Params))
	for _, d := range e.spec.Params {
		v := p.raw(d.Name)
		if n, err := money.Parse(v); err == nil {
			v = n.String()
		}
		out[d.Name] = v
	}
	return out, nil
}
