package settings

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
)

// running is a session's effective settings with every field away from its
// zero value, so that a change to any of them is a change.
func running() Settings {
	return Settings{
		Mode: ModePaper, Symbols: []string{"BTC-USD"}, Duration: time.Hour, AutoRestart: true, Seed: 7,
		Latency: time.Millisecond, Account: AccountMargin, MaxBorrow: money.FromInt(1000), BorrowRateBps: 5,
	}.WithDefaults(DefaultHealth)
}

// TestDifferencesCoverEveryField: Differences is written by hand, one line
// a setting. A field added to Settings (or to risk.Limits) and forgotten
// there would let a start that asks for another value join the running
// session as if it were the same one. Each field is changed in turn, found
// by reflection; Differences must name it as the API does.
func TestDifferencesCoverEveryField(t *testing.T) {
	base := running()
	if d := base.Differences(base); len(d) != 0 {
		t.Fatalf("settings differ from themselves: %v", d)
	}
	typ := reflect.TypeFor[Settings]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type == reflect.TypeFor[*risk.Limits]() {
			lt := reflect.TypeFor[risk.Limits]()
			for j := range lt.NumField() {
				req, limits := base, *base.Risk
				change(t, f.Name+"."+lt.Field(j).Name, reflect.ValueOf(&limits).Elem().Field(j))
				req.Risk = &limits
				checkNamed(t, base.Differences(req), "risk."+apiName(lt.Field(j).Name))
			}
			continue
		}
		req := base
		change(t, f.Name, reflect.ValueOf(&req).Elem().Field(i))
		checkNamed(t, base.Differences(req), apiName(f.Name))
	}
}

func checkNamed(t *testing.T, diffs []Diff, want string) {
	t.Helper()
	if !slices.ContainsFunc(diffs, func(d Diff) bool { return d.Name == want || strings.HasPrefix(d.Name, want+".") }) {
		t.Errorf("Differences does not notice a change of %s (got %v): compare it in Differences", want, diffs)
	}
}

// change sets v to another value of its type without touching what the
// original shares (slices, maps and pointers are replaced, not written
// through). A type it does not know fails the test, so a new kind of
// field cannot slip past.
func change(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	if v.Type() == reflect.TypeFor[money.Decimal]() {
		v.Set(reflect.ValueOf(v.Interface().(money.Decimal).Add(money.FromInt(1))))
		return
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Slice:
		v.Set(reflect.Append(reflect.AppendSlice(reflect.MakeSlice(v.Type(), 0, v.Len()+1), v), reflect.ValueOf("ETH-USD")))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for _, k := range v.MapKeys() {
			m.SetMapIndex(k, v.MapIndex(k))
		}
		m.SetMapIndex(reflect.ValueOf("extra"), reflect.ValueOf("1"))
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(v.Elem())
		change(t, name, p.Elem())
		v.Set(p)
	default:
		t.Fatalf("field %s of type %s: this test does not know how to change it; teach it, and compare the field in Differences", name, v.Type())
	}
}

// apiName is a Go field name as the API spells it: HealthInterval is
// health_interval.
func apiName(field string) string {
	var b strings.Builder
	for i, r := range field {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func TestDefaultsGivenExplicitlyAreTheSameSession(t *testing.T) {
	left := Settings{Mode: ModePaper}.WithDefaults(DefaultHealth)
	maker, taker := *left.MakerFeeBps, *left.TakerFeeBps
	limits := risk.DefaultLimits()
	given := Settings{
		Mode: ModePaper, Symbols: []string{"BTC-USD"}, TickInterval: DefaultTick, HealthInterval: DefaultHealth,
		Strategy: DefaultStrategy, Params: left.Params, Risk: &limits, MakerFeeBps: &maker, TakerFeeBps: &taker,
		StartingCash: DefaultStartingCash, Account: AccountCash,
	}.WithDefaults(DefaultHealth)
	if d := left.Differences(given); len(d) != 0 || !left.SameAs(given) {
		t.Fatalf("defaults left unset and given differ: %v", d)
	}
}

func TestDifferences(t *testing.T) {
	run := Settings{Mode: ModePaper, Symbols: []string{"BTC-USD", "ETH-USD"}, Seed: 7}.WithDefaults(DefaultHealth)
	// The order of the symbols does not matter; a request without a seed
	// accepts any seed.
	if d := run.Differences(Settings{Mode: ModePaper, Symbols: []string{"ETH-USD", "BTC-USD"}}.WithDefaults(DefaultHealth)); len(d) != 0 {
		t.Errorf("same symbols in another order, no seed: %v", d)
	}
	off := risk.DefaultLimits()
	off.MaxOpenOrders = 0
	req := Settings{Mode: ModePaper, Symbols: []string{"BTC-USD"}, Seed: 8, TickInterval: 2 * time.Second, Risk: &off,
		Params: map[string]string{"fast": "3"}}.WithDefaults(DefaultHealth)
	var got []string
	for _, d := range run.Differences(req) {
		got = append(got, d.String())
	}
	want := []string{
		"symbols (running BTC-USD,ETH-USD, asked BTC-USD)",
		"tick_interval (running 1s, asked 2s)",
		"seed (running 7, asked 8)",
		"params.fast (running 5, asked 3)",
		"risk.max_open_orders (running 100, asked off)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("differences:\n got %q\nwant %q", got, want)
	}
}

func TestWithDefaultsDoesNotShareTheCallersSymbols(t *testing.T) {
	s := Settings{Mode: ModePaper}.WithDefaults(DefaultHealth)
	s.Symbols[0] = "ETH-USD"
	if DefaultSymbols[0] != "BTC-USD" {
		t.Fatalf("writing the defaulted symbols wrote DefaultSymbols: %v", DefaultSymbols)
	}
	if s.TickInterval != DefaultTick || s.HealthInterval != DefaultHealth || s.Strategy != DefaultStrategy ||
		s.Risk == nil || s.MakerFeeBps == nil || s.TakerFeeBps == nil || s.StartingCash != DefaultStartingCash || s.Account != AccountCash {
		t.Fatalf("defaults not filled: %+v", s)
	}
}
