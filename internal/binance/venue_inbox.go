package binance

import (
	"sort"
	"strings"

	"github.com/tradectl/tradectl/internal/money"
)

// The Sink side of the Venue: the network's goroutines hand over what
// they learn under the inbox's mutex, and never wait for the loop.

func (v *Venue) Update(u OrderUpdate) {
	v.mu.Lock()
	v.inbox = append(v.inbox, u)
	v.mu.Unlock()
}

func (v *Venue) Balances(bs []Balance) {
	v.mu.Lock()
	for _, b := range bs {
		v.balances[b.Asset] = b
	}
	v.mu.Unlock()
}

// LastBalances are the balances the venue last reported, by asset.
func (v *Venue) LastBalances() map[string]Balance {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := make(map[string]Balance, len(v.balances))
	for a, b := range v.balances {
		c[a] = b
	}
	return c
}

func (v *Venue) Halt(cause, reason string) {
	v.mu.Lock()
	v.halts[cause] = reason
	v.storeHalt()
	v.mu.Unlock()
}

func (v *Venue) Resume(cause string) {
	v.mu.Lock()
	delete(v.halts, cause)
	v.storeHalt()
	v.mu.Unlock()
}

// Halted says why order entry is halted, or "".
func (v *Venue) Halted() string { return *v.haltReason.Load() }

func (v *Venue) storeHalt() {
	causes := make([]string, 0, len(v.halts))
	for c := range v.halts {
		causes = append(causes, c)
	}
	sort.Strings(causes)
	var b strings.Builder
	for i, c := range causes {
		if i == 0 {
			b.WriteString("order entry halted: ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(c + ": " + v.halts[c])
	}
	s := b.String()
	v.haltReason.Store(&s)
}

// SetRules replaces the symbols' rules (refreshed from exchangeInfo) from
// any goroutine; the loop takes them at its next event.
func (v *Venue) SetRules(r map[string]Rules) {
	v.mu.Lock()
	v.newRules = r
	v.mu.Unlock()
}

func maps(m map[string]money.Decimal) map[string]money.Decimal {
	c := make(map[string]money.Decimal, len(m))
	for k, d := range m {
		c[k] = d
	}
	return c
}
