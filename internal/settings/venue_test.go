package settings

import (
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
)

func TestPaperVenueTakesTheSettingsOrTheEngineDefaults(t *testing.T) {
	def := Settings{}.PaperVenue()
	if want := matching.DefaultConfig(); def.MakerFeeBps != want.MakerFeeBps || def.TakerFeeBps != want.TakerFeeBps || def.Latency != 0 {
		t.Fatalf("unset fees: %+v, want the engine's defaults %+v", def, want)
	}
	maker, taker := int64(0), int64(7)
	c := Settings{MakerFeeBps: &maker, TakerFeeBps: &taker, Latency: 3 * time.Millisecond}.PaperVenue()
	if c.MakerFeeBps != 0 || c.TakerFeeBps != 7 || c.Latency != 3*time.Millisecond || c.FinishedIDs != 0 {
		t.Fatalf("got %+v: want the settings' fees and latency, FinishedIDs left to the caller", c)
	}
	// The paper instruments' rules hold: BTC-USD has a tick size.
	for _, cfg := range []matching.Config{def, c} {
		if cfg.Filters == nil || cfg.Filters("BTC-USD").TickSize.IsZero() {
			t.Fatal("no BTC-USD tick size: want the filters of paper's instruments")
		}
	}
}
