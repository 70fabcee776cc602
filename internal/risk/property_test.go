package risk

import (
	"math/big"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
	"pgregory.net/rapid"
)

func rat(x money.Decimal) *big.Rat { return big.NewRat(x.Units(), 100_000_000) }

// beyond is the oracle for the drawdown rules: (base − equity) / base > frac.
func beyond(base, equity, frac money.Decimal) bool {
	if !frac.IsPositive() {
		return false
	}
	loss := new(big.Rat).Sub(rat(base), rat(equity))
	return loss.Quo(loss, rat(base)).Cmp(rat(frac)) > 0
}

func TestPropKillSwitch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pct := func(label string) money.Decimal {
			return money.FromUnits(rapid.Int64Range(0, 30).Draw(t, label) * 1_000_000) // 0 to 30%
		}
		limits := Limits{MaxDrawdown: pct("maxDrawdown"), MaxTrailingDrawdown: pct("maxTrailing")}
		start := money.FromInt(rapid.Int64Range(1, 1_000_000).Draw(t, "start"))
		g := New(limits, start)
		base, peak, equity := start, start, start
		state := Active
		now := t0
		for range rapid.IntRange(1, 200).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(0, 2000).Draw(t, "dt")) * time.Millisecond)
			switch rapid.IntRange(0, 19).Draw(t, "action") {
			case 0:
				g.Halt("operator", now)
				state = Halted
			case 1:
				g.Reduce("operator")
				if state == Active {
					state = Reducing
				}
			case 2:
				if g.Reset(now) == nil {
					base, peak, state = equity, equity, Active
				} else if equity.IsPositive() {
					t.Fatalf("reset refused at equity %s", equity)
				}
			default:
				// Equity wanders by up to ±3% of the start a step.
				move := start.MulBps(rapid.Int64Range(-300, 300).Draw(t, "move"))
				equity = equity.Add(move)
				peak = money.Max(peak, equity)
				want := state != Halted && (beyond(base, equity, limits.MaxDrawdown) || beyond(peak, equity, limits.MaxTrailingDrawdown))
				if got := g.OnEquity(equity, now); got != want {
					t.Fatalf("equity %s (start %s, peak %s): tripped %v, want %v", equity, base, peak, got, want)
				}
				if want {
					state = Halted
				}
			}
			if g.State() != state {
				t.Fatalf("state %s, want %s", g.State(), state)
			}
			position := money.FromInt(rapid.Int64Range(-3, 3).Draw(t, "position"))
			spec := venue.OrderSpec{Symbol: "X-USD", Type: venue.Market,
				Side:     rapid.SampledFrom([]venue.Side{venue.Buy, venue.Sell}).Draw(t, "side"),
				Quantity: money.FromInt(rapid.Int64Range(1, 4).Draw(t, "qty"))}
			err := g.Check(spec, money.FromInt(100), position, 0, now)
			switch {
			case state == Halted && err == nil:
				t.Fatalf("halted, yet %+v passed", spec)
			case state == Reducing && err == nil && !reduces(spec, position):
				t.Fatalf("reducing, yet %+v passed at position %s", spec, position)
			case state == Active && err != nil:
				t.Fatalf("active, yet %+v refused: %v", spec, err)
			}
		}
	})
}
