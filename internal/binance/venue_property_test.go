package binance

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// venueScenario is what the venue did with a few orders, as the updates it
// sends about them: each order's NEW, its trades (each with the status and
// cumulative quantity after it), its final status.
func venueScenario(rng *rand.Rand) (specs map[string]venue.OrderSpec, us []OrderUpdate) {
	specs = map[string]venue.OrderSpec{}
	tid := int64(100)
	for k := range 4 {
		id := fmt.Sprintf("o%d", k)
		sym := vBTC
		if k%2 == 1 {
			sym = "ETH-USD"
		}
		side := venue.Buy
		if rng.IntN(2) == 0 {
			side = venue.Sell
		}
		qty := int64(1 + rng.IntN(9))
		spec := vLimit(sym, side, fmt.Sprint(qty), "100")
		specs[id] = spec
		if rng.IntN(6) == 0 {
			us = append(us, OrderUpdate{Symbol: sym, ClientID: id, Status: StatusRejected, Reason: "-2010 no"})
			continue
		}
		us = append(us, vStatus(sym, id, StatusNew, "0"))
		traded := qty
		final := StatusFilled
		if rng.IntN(2) == 0 {
			traded, final = int64(rng.IntN(int(qty))), StatusCanceled
			if rng.IntN(2) == 0 {
				final = StatusExpired
			}
		}
		var cum int64
		for cum < traded {
			q := 1 + int64(rng.IntN(int(traded-cum)))
			cum += q
			tid++
			s := StatusPartiallyFilled
			if cum == qty {
				s = StatusFilled
			}
			u := vTrade(sym, id, tid, fmt.Sprint(q), fmt.Sprint(100+rng.IntN(5)), fmt.Sprint(cum), s)
			if rng.IntN(3) == 0 {
				u.Trade.Fee, u.Trade.FeeAsset = money.FromInt(q).MulBps(10), Base(sym)
			}
			if rng.IntN(4) == 0 {
				// As the reconciler hands over a missed trade (myTrades):
				// no status, no cumulative quantity.
				u.Status, u.Executed = StatusUnknown, money.Decimal{}
			}
			us = append(us, u)
		}
		us = append(us, vStatus(sym, id, final, fmt.Sprint(traded)))
	}
	return specs, us
}

type venueOutcome struct {
	state                 venue.OrderState
	filled, fees, average money.Decimal
	fills                 int
}

func playVenue(t *testing.T, specs map[string]venue.OrderSpec, us []OrderUpdate, rng *rand.Rand) (map[string]venueOutcome, map[string]money.Decimal) {
	t.Helper()
	r := newVRig(t, nil)
	for k := range len(specs) {
		id := fmt.Sprintf("o%d", k)
		r.submit(id, specs[id])
	}
	for len(us) > 0 {
		n := 1 + rng.IntN(len(us))
		r.feed(us[:n]...)
		us = us[n:]
	}
	got := map[string]venueOutcome{}
	for id := range specs {
		o := r.order(id)
		got[id] = venueOutcome{o.State, o.Filled, o.Fees, o.AveragePrice, len(o.Fills)}
	}
	if r.v.OpenTotal() != 0 {
		t.Fatalf("%d orders still open after every update", r.v.OpenTotal())
	}
	return got, r.v.Net()
}

// Any permutation and duplication of a set of updates, in batches of any
// size, yields the same books as the updates in order, once each.
func TestVenueUpdatesInAnyOrderAnyNumberOfTimes(t *testing.T) {
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		specs, us := venueScenario(rng)
		want, wantNet := playVenue(t, specs, us, rand.New(rand.NewPCG(0, 0)))
		var shuffled []OrderUpdate
		for _, u := range us {
			for range 1 + rng.IntN(3) {
				shuffled = append(shuffled, u)
			}
		}
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got, gotNet := playVenue(t, specs, shuffled, rng)
		for id, w := range want {
			if got[id] != w {
				t.Fatalf("seed %d: order %s ends %+v in order, %+v shuffled", seed, id, w, got[id])
			}
		}
		if fmt.Sprint(gotNet) != fmt.Sprint(wantNet) {
			t.Fatalf("seed %d: net %v in order, %v shuffled", seed, wantNet, gotNet)
		}
	}
}
