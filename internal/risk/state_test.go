package risk

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

func restored(t *testing.T, limits Limits, g *Guard) *Guard {
	t.Helper()
	b, err := json.Marshal(g.GuardState())
	if err != nil {
		t.Fatal(err)
	}
	var s GuardState
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	r, err := RestoreGuard(limits, s)
	if err != nil {
		t.Fatalf("RestoreGuard(%s): %v", b, err)
	}
	if !reflect.DeepEqual(r.GuardState(), g.GuardState()) {
		t.Fatalf("restored %+v, want %+v", r.GuardState(), g.GuardState())
	}
	return r
}

func TestHaltSurvivesRestore(t *testing.T) {
	limits := Limits{MaxDrawdown: d("0.1")}
	g := New(limits, d("1000"))
	if !g.OnEquity(d("899"), t0) {
		t.Fatal("a 10.1% loss did not halt")
	}
	r := restored(t, limits, g)
	if r.State() != Halted || r.Reason() != g.Reason() || !r.HaltedAt().Equal(t0) {
		t.Fatalf("restored %s %q at %s, want HALTED %q at %s", r.State(), r.Reason(), r.HaltedAt(), g.Reason(), t0)
	}
	err, want := r.Check(buy("1"), d("1"), money.Decimal{}, 0, t0.Add(time.Hour)), g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0)
	if err == nil || err.Error() != want.Error() {
		t.Fatalf("restored Check = %v, want %v", err, want)
	}
	if r.OnEquity(d("1000"), t0) || r.State() != Halted {
		t.Fatal("a recovery lifted the restored halt")
	}
	if err := r.Reset(t0); err != nil || r.Check(buy("1"), d("1"), money.Decimal{}, 0, t0) != nil {
		t.Fatalf("after Reset: %v, %v", err, r.Check(buy("1"), d("1"), money.Decimal{}, 0, t0))
	}
}

func TestRestoreKeepsPeakAndRateWindow(t *testing.T) {
	limits := Limits{MaxTrailingDrawdown: d("0.1"), MaxOrdersPerSecond: 2}
	g := New(limits, d("100"))
	g.OnEquity(d("200"), t0)
	g.OnEquity(d("185"), t0)
	for ms := range 3 { // the third is refused: the window holds 0 and 1
		g.Check(buy("1"), d("1"), money.Decimal{}, 0, t0.Add(time.Duration(ms)*time.Millisecond))
	}
	g.Reduce("operator")
	r := restored(t, limits, g)
	if r.State() != Reducing || r.Reason() != "operator" {
		t.Fatalf("restored %s %q, want REDUCING operator", r.State(), r.Reason())
	}
	at := t0.Add(999 * time.Millisecond)
	if err := r.Check(sell("1"), d("1"), d("1"), 0, at); err == nil || !strings.Contains(err.Error(), RuleMaxOrdersPerSecond) {
		t.Fatalf("restored Check inside the old window = %v, want %s", err, RuleMaxOrdersPerSecond)
	}
	if r.OnEquity(d("181"), at) || !r.OnEquity(d("179"), at) || !strings.HasPrefix(r.Reason(), RuleMaxTrailingDrawdown) {
		t.Fatalf("restored guard did not halt 10%% below the old peak of 200: %s %q", r.State(), r.Reason())
	}
}

func TestRestoreGuardRefusesInvalidState(t *testing.T) {
	valid := GuardState{State: Active, Start: d("100"), Peak: d("120"), Equity: d("90")}
	for _, tc := range []struct {
		name, want string
		edit       func(s *GuardState)
	}{
		{"unknown state", "State 0", func(s *GuardState) { s.State = 0 }},
		{"state beyond", "State 4", func(s *GuardState) { s.State = Halted + 1 }},
		{"active reason", "ACTIVE with Reason", func(s *GuardState) { s.Reason = "why" }},
		{"reducing since", "REDUCING with Since", func(s *GuardState) { s.State, s.Since = Reducing, t0 }},
		{"zero start", "Start 0 ", func(s *GuardState) { s.Start = money.Decimal{} }},
		{"negative start", "Start -1 ", func(s *GuardState) { s.Start = d("-1") }},
		{"peak below start", "Peak 99", func(s *GuardState) { s.Peak = d("99") }},
		{"equity above peak", "Equity 121", func(s *GuardState) { s.Equity = d("121") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := valid
			tc.edit(&s)
			if _, err := RestoreGuard(Limits{}, s); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RestoreGuard = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := RestoreGuard(Limits{MaxOpenOrders: -1}, valid); err == nil {
		t.Fatal("RestoreGuard accepted invalid limits")
	}
}

func TestParseState(t *testing.T) {
	for _, s := range []State{Active, Reducing, Halted} {
		if got, err := ParseState(s.String()); got != s || err != nil {
			t.Fatalf("ParseState(%q) = %s, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "UNSPECIFIED", "halted"} {
		if _, err := ParseState(bad); err == nil {
			t.Fatalf("ParseState(%q) succeeded", bad)
		}
	}
}
