package binance

import (
	"strings"
	"testing"
	"time"
)

// One answer in twelve took 2.5 s: more than 1% of the answers are slow,
// so the p99 is that answer (nearest rank) and the venue reads "slow
// answers". The p99 was the second slowest of any fewer than 100
// answers, which hid a single slow one (seen against the rehearsal venue:
// an order answered 2.5 s late, and the reason said "p99 16.7ms").
func TestLimiterHealthNamesOneSlowAnswerAmongFew(t *testing.T) {
	l := NewLimiter(nil)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range 11 {
		l.record(sample{at: now.Add(time.Duration(i) * time.Second), latency: time.Millisecond})
	}
	l.record(sample{at: now.Add(20 * time.Second), latency: 2500 * time.Millisecond})
	h := l.Health(now.Add(21 * time.Second))
	if h.Level != Degraded || !strings.Contains(h.Reason, "slow answers") || !strings.Contains(h.Reason, "p50 1ms p99 2.5s") {
		t.Fatalf("one answer of twelve 2.5s late: %+v", h)
	}
	ms := time.Millisecond
	if got := pct([]time.Duration{ms, 2 * ms, 3 * ms, 4 * ms}, 50); got != 2*ms {
		t.Fatalf("p50 of 1..4 ms = %v, want 2ms (nearest rank)", got)
	}
	many := make([]time.Duration, 200)
	for i := range many {
		many[i] = time.Duration(i+1) * ms
	}
	if got := pct(many, 99); got != 198*ms {
		t.Fatalf("p99 of 1..200 ms = %v, want 198ms", got)
	}
}
