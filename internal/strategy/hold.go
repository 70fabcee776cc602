package strategy

import "github.com/tradectl/tradectl/internal/market"

// Hold never trades. It is the trivial strategy the throughput benchmarks
// run, so that they measure the trading loop rather than a strategy, and a
// safe choice for a session that should only watch the market.
type Hold struct{}

// OnEvent implements Strategy: no actions, ever.
func (Hold) OnEvent(_ *market.Event, _ Context, dst []Action) []Action { return dst }
