package session

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// oversized asks for a buy far beyond the default max order notional: on
// the first event only, or on every event when hammer is set.
type oversized struct {
	hammer bool
	asked  atomic.Int64
}

func (o *oversized) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if ev.Kind != market.EventBook || (!o.hammer && o.asked.Load() > 0) {
		return dst
	}
	o.asked.Add(1)
	return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: venue.OrderSpec{Symbol: ev.Symbol,
		Side: venue.Buy, Type: venue.Market, Quantity: money.FromInt(1000)}})
}

func managerWith(t *testing.T, strat strategy.Strategy) *Manager {
	m, _ := newTestManager(t, func(o *Options) {
		o.Assembler = assemble.Paper{Replace: func(p *assemble.Parts) { p.Strategy = strat }}
	})
	return m
}

func riskOf(m *Manager) sessionhealth.Component {
	_, _, r := m.Status()
	if r == nil {
		return sessionhealth.Component{}
	}
	return component(r, "risk")
}

// A routine refusal is the guard doing its job: it is counted and shown,
// and the session stays HEALTHY.
func TestRefusedOrderKeepsRiskHealthy(t *testing.T) {
	m := managerWith(t, &oversized{})
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "risk shows the refusal", func() bool { return riskOf(m).Reason != "" })
	c := riskOf(m)
	if c.Status != sessionhealth.StatusHealthy || !strings.Contains(c.Reason, "1 orders refused") {
		t.Fatalf("risk = %v %q, want HEALTHY counting 1 refused order", c.Status, c.Reason)
	}
	if _, _, r := m.Status(); r.Status != sessionhealth.StatusHealthy {
		t.Fatalf("report = %v %q, want HEALTHY", r.Status, r.Reason)
	}
}

// A strategy refused over and over needs a person: DEGRADED, saying so.
func TestRefusalsAsTheRuleDegradeRisk(t *testing.T) {
	m := managerWith(t, &oversized{hammer: true})
	if _, _, err := m.Start(paperSettings(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "risk DEGRADED", func() bool { return riskOf(m).Status == sessionhealth.StatusDegraded })
	if r := riskOf(m).Reason; !strings.Contains(r, "refused in the last") && !strings.Contains(r, "dropped") {
		t.Fatalf("reason %q does not say what is wrong", r)
	}
}

// A strategy refused about half the time reads steadily DEGRADED once
// refusals became the rule, not flapping at the threshold, and HEALTHY again
// once they are rare.
func TestRefusalRateDoesNotFlapAtTheThreshold(t *testing.T) {
	var r refusalRate
	t0 := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	var intents, refused uint64
	step := func(sec int, nIntents, nRefused uint64) bool {
		intents, refused = intents+nIntents, refused+nRefused
		_, alarmed := r.observe(t0.Add(time.Duration(sec)*time.Second), rateSample{intents: intents, refused: refused})
		return alarmed
	}
	step(0, 0, 0)
	if !step(1, 100, 51) {
		t.Fatal("51 of 100 refused: not alarmed")
	}
	for sec := 2; sec < 30; sec++ {
		if !step(sec, 100, 48+uint64(sec%5)) { // 48-52% refused
			t.Fatalf("second %d: cleared at about half refused", sec)
		}
	}
	for sec := 30; sec < 200; sec++ {
		step(sec, 100, 5)
	}
	if step(200, 100, 5) {
		t.Fatal("5% refused for minutes: still alarmed")
	}
}
