package service

import (
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/settings"
	"github.com/tradectl/tradectl/internal/settings/settingspb"
	"github.com/tradectl/tradectl/internal/strategy"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// startSeeds are requests worth starting from: the defaults, a full valid
// one, and each bound just inside and just outside. Both fuzz targets of
// this package take them, marshalled.
func startSeeds() []*tradingv1.StartTradingRequest {
	paperMode := tradingv1.Mode_MODE_PAPER
	fee := func(v int64) *int64 { return &v }
	return []*tradingv1.StartTradingRequest{
		{},
		{Resume: true},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode}},
		{Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_LIVE}},
		{Settings: &tradingv1.SessionSettings{
			Mode: paperMode, Symbols: []string{"BTC-USD", "ETH-USD"}, Duration: durationpb.New(time.Minute),
			HealthInterval: durationpb.New(time.Second), TickInterval: durationpb.New(10 * time.Millisecond),
			AutoRestart: true, Seed: 7, Strategy: "sma", Params: map[string]string{"fast": "5", "slow": "20"},
			Risk: &tradingv1.RiskLimits{MaxOrderNotional: "1000", MaxPosition: "0", MaxOpenOrders: -1,
				MaxOrdersPerSecond: 10, MaxDrawdown: "0.1", MaxTrailingDrawdown: "0.05"},
			MakerFeeBps: fee(0), TakerFeeBps: fee(1000), Latency: durationpb.New(time.Minute), StartingCash: "1000000000",
		}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond)}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Symbols: []string{"BTC-USD", "BTC-USD"}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Symbols: []string{"FOO-BAR"}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Symbols: []string{"btc-usd"}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, TickInterval: durationpb.New(9 * time.Millisecond)}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, TickInterval: &durationpb.Duration{Seconds: 1, Nanos: -1}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, HealthInterval: durationpb.New(-time.Second)}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Duration: durationpb.New(5 * time.Millisecond)}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Duration: &durationpb.Duration{Seconds: 315576000000}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Latency: &durationpb.Duration{Seconds: 1, Nanos: -5}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, MakerFeeBps: fee(-1), TakerFeeBps: fee(1001)}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, StartingCash: "1000000000.00000001"}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, StartingCash: "-1"}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Strategy: "nope", Params: map[string]string{"": "="}}},
		{Settings: &tradingv1.SessionSettings{Mode: paperMode, Risk: &tradingv1.RiskLimits{MaxDrawdown: "1", MaxPosition: "1e3"}}},
		{Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode(42)}},
	}
}

func marshalSeed(f *testing.F, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzStartTradingRequest decodes arbitrary bytes as a StartTradingRequest
// and takes it as far as the daemon would: the validator's structural
// check, then translation and the domain's check. Neither may panic; a
// refusal must be one the error table maps (never INTERNAL); and settings
// the daemon accepts must be within every bound and survive the trip back
// to the wire and in again unchanged.
func FuzzStartTradingRequest(f *testing.F) {
	for _, req := range startSeeds() {
		f.Add(marshalSeed(f, req))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req := &tradingv1.StartTradingRequest{}
		if err := proto.Unmarshal(data, req); err != nil {
			return
		}
		if err := req.Validate(); err != nil {
			if !strings.HasPrefix(err.Error(), "settings.") {
				t.Fatalf("Validate error %q does not name the field", err)
			}
			return
		}
		s, err := settingspb.FromProto(req.GetSettings())
		if err == nil {
			err = s.Validate()
		}
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkAccepted(t, s)
		back, err := settingspb.FromProto(roundTrip(t, s))
		if err != nil {
			t.Fatalf("accepted settings %+v come back from the wire refused: %v", s, err)
		}
		if !sameSettings(s, back) {
			t.Fatalf("settings changed on the wire:\n%+v\n%+v", s, back)
		}
	})
}

// checkRefusal: a domain refusal is a typed error the table maps to a
// client-facing code, with the field named for invalid settings.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var inv *settings.InvalidError
	if errors.As(err, &inv) && !strings.HasPrefix(inv.Field, "settings.") {
		t.Fatalf("refusal %v names field %q", err, inv.Field)
	}
	switch code := status.Code(toStatus(slog.New(slog.DiscardHandler), err)); code {
	case codes.InvalidArgument, codes.FailedPrecondition:
	default:
		t.Fatalf("refusal %v maps to %s", err, code)
	}
}

// checkAccepted restates the bounds of settings.Settings from the outside.
func checkAccepted(t *testing.T, s settings.Settings) {
	t.Helper()
	if s.Mode != settings.ModePaper && s.Mode != settings.ModeLive {
		t.Fatalf("accepted mode %v", s.Mode)
	}
	if len(s.Symbols) > settings.MaxSymbols {
		t.Fatalf("accepted %d symbols", len(s.Symbols))
	}
	for _, sym := range s.Symbols {
		if s.Mode == settings.ModeLive {
			// Any BASE-USD the venue may list; the venue refuses the rest.
			if base, ok := strings.CutSuffix(sym, "-USD"); !ok || base == "" || strings.ToUpper(base) != base {
				t.Fatalf("accepted live symbol %q", sym)
			}
		} else if _, ok := paper.Lookup(sym); !ok {
			t.Fatalf("accepted unknown symbol %q", sym)
		}
	}
	inBounds := func(name string, d, lo, hi time.Duration) {
		if d != 0 && (d < lo || d > hi) {
			t.Fatalf("accepted %s %v outside [%v, %v]", name, d, lo, hi)
		}
	}
	inBounds("tick interval", s.TickInterval, settings.MinTickInterval, settings.MaxTickInterval)
	inBounds("health interval", s.HealthInterval, settings.MinHealthInterval, settings.MaxHealthInterval)
	tick := s.TickInterval
	if tick == 0 {
		tick = settings.DefaultTick
	}
	inBounds("duration", s.Duration, tick, settings.MaxDuration)
	if s.Duration < 0 || s.Latency < 0 || s.Latency > settings.MaxLatency {
		t.Fatalf("accepted duration %v, latency %v", s.Duration, s.Latency)
	}
	for _, bps := range []*int64{s.MakerFeeBps, s.TakerFeeBps} {
		if bps != nil && (*bps < 0 || *bps > settings.MaxFeeBps) {
			t.Fatalf("accepted fee of %d bps", *bps)
		}
	}
	if s.StartingCash.IsNegative() {
		t.Fatalf("accepted starting cash %s", s.StartingCash)
	}
	if s.Risk != nil {
		if err := s.Risk.Validate(); err != nil {
			t.Fatalf("accepted risk limits %+v: %v", *s.Risk, err)
		}
	}
	name := s.Strategy
	if name == "" {
		name = settings.DefaultStrategy
	}
	if _, err := strategy.New(name, s.Params); err != nil {
		t.Fatalf("accepted strategy %q %v: %v", name, s.Params, err)
	}
}

// roundTrip writes s as the daemon reports it and reads it back as a new
// request would arrive.
func roundTrip(t *testing.T, s settings.Settings) *tradingv1.SessionSettings {
	t.Helper()
	b, err := proto.Marshal(&tradingv1.StartTradingRequest{Settings: settingspb.ToProto(s)})
	if err != nil {
		t.Fatalf("marshal accepted settings %+v: %v", s, err)
	}
	req := &tradingv1.StartTradingRequest{}
	if err := proto.Unmarshal(b, req); err != nil {
		t.Fatalf("unmarshal accepted settings: %v", err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("accepted settings %+v fail Validate on the way back: %v", s, err)
	}
	return req.GetSettings()
}

// sameSettings compares what the wire carries: an empty map and nil are
// the same, and so are nil limits and limits equal to nothing sent.
func sameSettings(a, b settings.Settings) bool {
	eqPtr := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	riskEq := (a.Risk == nil) == (b.Risk == nil) && (a.Risk == nil || *a.Risk == *b.Risk)
	return a.Mode == b.Mode && slices.Equal(a.Symbols, b.Symbols) && a.Duration == b.Duration && a.HealthInterval == b.HealthInterval &&
		a.TickInterval == b.TickInterval && a.AutoRestart == b.AutoRestart && a.Seed == b.Seed &&
		a.Strategy == b.Strategy && maps.Equal(a.Params, b.Params) && riskEq &&
		eqPtr(a.MakerFeeBps, b.MakerFeeBps) && eqPtr(a.TakerFeeBps, b.TakerFeeBps) &&
		a.Latency == b.Latency && a.StartingCash == b.StartingCash
}
