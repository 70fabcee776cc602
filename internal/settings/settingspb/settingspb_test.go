package settingspb

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
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

func TestMalformedDecimalsNameTheField(t *testing.T) {
	for field, p := range map[string]*tradingv1.SessionSettings{
		"settings.starting_cash":     {StartingCash: "1e3"},
		"settings.max_borrow":        {Account: tradingv1.Account_ACCOUNT_MARGIN, MaxBorrow: "x"},
		"settings.risk.max_position": {Risk: &tradingv1.RiskLimits{MaxPosition: "1,5"}},
	} {
		_, err := FromProto(p)
		var inv *settings.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%v: %v; want it refused naming %s", p, err, field)
		}
	}
}

// What the daemon reports of a margin account with limits turned off is
// read back as the same settings.
func TestRoundTrip(t *testing.T) {
	if s, err := FromProto(nil); err != nil || s.Mode != settings.ModePaper {
		t.Fatalf("nil: %+v %v; want paper", s, err)
	}
	limits := risk.DefaultLimits()
	limits.MaxOpenOrders, limits.MaxDrawdown = 0, money.Decimal{}
	in := settings.Settings{Mode: settings.ModePaper, Symbols: []string{"ETH-USD"}, Risk: &limits,
		Account: settings.AccountMargin, MaxBorrow: money.FromInt(5000), BorrowRateBps: 0}
	out, err := FromProto(ToProto(in))
	if err != nil || out.Account != in.Account || out.MaxBorrow != in.MaxBorrow || out.BorrowRateBps != 0 ||
		out.Risk == nil || *out.Risk != limits {
		t.Fatalf("round trip of %+v: %+v %v", in, out, err)
	}
}

// A remote strategy's supervision settings survive what the daemon echoes
// back; given as zero they are refused like the intervals, and a policy
// number the daemon does not know reaches validation to be named.
func TestRemoteSettings(t *testing.T) {
	in := settings.Settings{Mode: settings.ModePaper, Strategy: "remote:alpha", OnDetach: settings.DetachKeep,
		AttachGrace: 90 * time.Second, AnswerTimeout: 250 * time.Millisecond}
	out, err := FromProto(ToProto(in))
	if err != nil || out.Strategy != in.Strategy || out.OnDetach != in.OnDetach || out.AttachGrace != in.AttachGrace ||
		out.AnswerTimeout != in.AnswerTimeout || out.Validate() != nil {
		t.Fatalf("round trip of %+v: %+v %v", in, out, err)
	}
	def := settings.Settings{Mode: settings.ModePaper, Strategy: "remote:alpha"}.WithDefaults(settings.DefaultHealth)
	back, err := FromProto(ToProto(def))
	if err != nil || !def.SameAs(back.WithDefaults(settings.DefaultHealth)) {
		t.Fatalf("defaults round trip: %+v %v", back, err)
	}
	// A built-in strategy's settings say nothing of them.
	p := ToProto(settings.Settings{Mode: settings.ModePaper}.WithDefaults(settings.DefaultHealth))
	if p.OnDetach != tradingv1.DetachPolicy_DETACH_POLICY_UNSPECIFIED || p.AttachGrace != nil || p.AnswerTimeout != nil {
		t.Fatalf("built-in: %v", p)
	}
	for field, p := range map[string]*tradingv1.SessionSettings{
		"settings.attach_grace":   {Strategy: "remote:a", AttachGrace: durationpb.New(0)},
		"settings.answer_timeout": {Strategy: "remote:a", AnswerTimeout: durationpb.New(0)},
		"settings.on_detach":      {Strategy: "remote:a", OnDetach: 9},
	} {
		s, err := FromProto(p)
		if err == nil {
			err = s.Validate()
		}
		var inv *settings.InvalidError
		if !errors.As(err, &inv) || inv.Field != field {
			t.Errorf("%v: %v; want it refused naming %s", p, err, field)
		}
	}
}
