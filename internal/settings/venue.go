package settings

import (
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/paper"
)

// PaperVenue is the paper venue's configuration as these settings ask for
// it: their fees (nil: the engine's defaults), their latency, and the rules
// of the instruments paper lists. A session and a backtest both take it from
// here, so a backtest fills as the session it rehearses would. How many
// finished orders the engine remembers is the caller's: a session persists
// them, a backtest does not.
func (s Settings) PaperVenue() matching.Config {
	c := matching.DefaultConfig()
	if s.MakerFeeBps != nil {
		c.MakerFeeBps = *s.MakerFeeBps
	}
	if s.TakerFeeBps != nil {
		c.TakerFeeBps = *s.TakerFeeBps
	}
	c.Latency = s.Latency
	c.Filters = paper.Filters
	return c
}
