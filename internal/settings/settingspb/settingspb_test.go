package settingspb

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/settings"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// An interval given as zero is not an interval left unset: `tradectl start
// --tick-interval 0` ran at the daemon's 1s, and `--health-interval 0` at
// its 5m, without a word. Refused, naming the field.
func TestZeroIntervalsGivenAreRefused(t *testing.T) {
	for field, p := range map[string]*tradingv1.SessionSettings{
		"settings.tick_interval":   {Mode: tradingv1.Mode_MODE_PAPER, TickInterval: durationpb.New(0)},
		"settings.health_interval": {Mode: tradingv1.Mode_MODE_PAPER, HealthInterval: durationpb.New(0)},
	} {
		s, err := FromProto(p)
		if err == nil {
			err = s.Validate()
		}
		var inv *settings.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%s given as 0s: %v; want it refused naming %s", field, err, field)
		}
	}
	// Left out, the defaults apply.
	s, err := FromProto(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER})
	if err != nil || s.Validate() != nil || s.TickInterval != 0 || s.HealthInterval != 0 {
		t.Fatalf("intervals left out: %+v %v", s, err)
	}
	// What the daemon echoes back is accepted again as it is.
	back, err := FromProto(ToProto(settings.Settings{Mode: settings.ModePaper, Symbols: []string{"BTC-USD"}}))
	if err != nil || back.TickInterval != 0 {
		t.Fatalf("settings without intervals, round trip: %+v %v", back, err)
	}
}
