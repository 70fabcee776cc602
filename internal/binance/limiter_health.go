package binance

import (
	"fmt"
	"slices"
	"time"
)

// Headroom is the share left, in percent, of the tightest request-weight
// limit and of the tightest order-count limit, from the venue's latest
// headers in the current window; 100 where nothing is known or used.
func (l *Limiter) Headroom() (weight, orders int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.headroomLocked(l.now())
}

func (l *Limiter) headroomLocked(now time.Time) (weight, orders int) {
	weight, orders = 100, 100
	for k, lim := range l.limits {
		r, ok := l.used[k]
		if !ok || lim <= 0 || !windowStart(now, k.interval).Equal(windowStart(r.at, k.interval)) {
			continue
		}
		left := int(max(0, (lim-r.n)*100/lim))
		if k.orders {
			orders = min(orders, left)
		} else {
			weight = min(weight, left)
		}
	}
	return weight, orders
}

// healthWindow is how far back latency and errors are judged.
const healthWindow = time.Minute

// Health is the "venue" component: a ban is Unhealthy, a 429 backoff, a
// limit in its reserve, a high error rate or slow answers are Degraded.
// The reason always carries the figures.
func (l *Limiter) Health(now time.Time) Health {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lats []time.Duration
	failed := 0
	for i := 0; i < min(l.nsample, len(l.samples)); i++ {
		s := l.samples[i]
		if now.Sub(s.at) > healthWindow {
			continue
		}
		lats = append(lats, s.latency)
		if s.failed {
			failed++
		}
	}
	slices.Sort(lats)
	w, o := l.headroomLocked(now)
	figures := fmt.Sprintf("%d requests in %s, %d failed; latency p50 %s p99 %s; weight %d%% left, orders %d%% left",
		len(lats), healthWindow, failed, pct(lats, 50), pct(lats, 99), w, o)
	h := Health{Name: "venue", Level: Healthy, Reason: figures, LastProgress: l.lastOK}
	switch {
	case now.Before(l.ban):
		h.Level, h.Reason = Unhealthy, "IP banned until "+l.ban.UTC().Format(time.RFC3339)+" (418: "+l.banMsg+"); "+figures
	case len(lats) >= 4 && failed == len(lats):
		h.Level, h.Reason = Unhealthy, "every recent request failed; "+figures
	case now.Before(l.backoff):
		h.Level, h.Reason = Degraded, "rate limited (429) until "+l.backoff.UTC().Format(time.RFC3339Nano)+"; "+figures
	case w < weightReserve || o == 0:
		h.Level, h.Reason = Degraded, "rate limit nearly used up; "+figures
	case len(lats) >= 4 && failed*4 >= len(lats):
		h.Level, h.Reason = Degraded, "many requests fail; "+figures
	case len(lats) > 0 && pct(lats, 99) > slowAnswer:
		h.Level, h.Reason = Degraded, "slow answers; "+figures
	}
	return h
}

// slowAnswer is a p99 at which the venue is too slow to trade on well.
const slowAnswer = 2 * time.Second

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// Nearest rank: the smallest answer at or above which p% of them lie,
	// so that among fewer than 100 answers the p99 is the slowest.
	return sorted[max(0, (len(sorted)*p+99)/100-1)].Round(time.Millisecond / 10)
}
