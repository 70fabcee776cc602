package backtest

import (
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/paper"
)

// SimStart is when a simulated market's time begins: fixed, so that a seed
// and a duration give the same run wherever it runs (tradectl backtest
// --sim, or tradingd's RunBacktest).
var SimStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultSimSeed is the seed of a simulated run that names none: a fixed
// one, so that a backtest is reproducible (a session picks a random one).
const DefaultSimSeed = 1

// NewSim is the paper market's simulator as a backtest's source: symbols
// from seed, for d of market time from SimStart. The one construction
// behind tradectl backtest --sim and RunBacktest, so that both give the
// same figures for the same settings.
func NewSim(seed uint64, symbols []string, d time.Duration) (market.Source, error) {
	return paper.NewSim(paper.SimConfig{Seed: seed, Symbols: symbols, Start: SimStart, End: SimStart.Add(d)})
}
