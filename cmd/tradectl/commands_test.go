package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestStartSendsOnlySetFlags(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("start", "--paper", "--symbols", "BTC-USD,ETH-USD", "--tick-interval", "2s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := h.fake.settings
	if s.GetMode() != tradingv1.Mode_MODE_PAPER || len(s.GetSymbols()) != 2 || s.GetTickInterval().AsDuration() != 2*time.Second {
		t.Errorf("settings sent: %v", s)
	}
	if s.Duration != nil || s.HealthInterval != nil || s.Seed != 0 || s.AutoRestart || s.Strategy != "" || s.Params != nil ||
		s.Risk != nil || s.MakerFeeBps != nil || s.TakerFeeBps != nil || s.Latency != nil || s.StartingCash != "" {
		t.Errorf("unset flags were sent: %v", s)
	}
	for _, want := range []string{"SESSION", "0123456789abcdef", "RUNNING", "PAPER", "BTC-USD,ETH-USD", "2s", "until stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("table output lacks %q:\n%s", want, out)
		}
	}
}

func TestStartJSON(t *testing.T) {
	code, out, _ := newHarness(t).run("-o", "json", "start", "--paper")
	var resp tradingv1.StartTradingResponse
	if err := protojson.Unmarshal([]byte(out), &resp); code != 0 || err != nil {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	// protojson varies its whitespace on purpose, so look at the decoded
	// document: unset fields must be present for scripts.
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if v, ok := doc["already_running"]; resp.GetSession().GetId() != "0123456789abcdef" || !ok || v != false {
		t.Errorf("json output:\n%s", out)
	}
}

func TestStopTimeoutCoversDeadline(t *testing.T) {
	for _, tc := range []struct {
		timeout, deadline string
		min, max          time.Duration
	}{
		{"1s", "30s", 30 * time.Second, 35 * time.Second}, // deadline+5s wins
		{"60s", "1s", 35 * time.Second, 60 * time.Second}, // --timeout wins
	} {
		h := newHarness(t)
		if code, _, errOut := h.run("--timeout", tc.timeout, "stop", "--deadline", tc.deadline); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if b := h.fake.stopBudget; b <= tc.min || b > tc.max {
			t.Errorf("--timeout %s --deadline %s: RPC had %v, want in (%v, %v]", tc.timeout, tc.deadline, b, tc.min, tc.max)
		}
	}
}

func TestStopPrintsSummaryAndWarns(t *testing.T) {
	h := newHarness(t)
	if _, out, _ := h.run("stop"); !strings.Contains(out, "no session has run") {
		t.Errorf("without a session: %q", out)
	}
	s := testSession(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER})
	s.State, s.Reason = tradingv1.SessionState_SESSION_STATE_STOPPED, "stopped by request"
	s.Summary = &tradingv1.SessionSummary{Ticks: 62, Fills: 2, QuoteCurrency: "USD", Equity: "100012.34",
		RealizedPnl: "10.00", UnrealizedPnl: "-1.50", UnstoppedChildren: []string{"market_data"},
		Positions: []*tradingv1.Position{{Symbol: "BTC-USD", Quantity: "0.5"}}}
	h.fake.stopResp = &tradingv1.StopTradingResponse{Session: s, WasRunning: true}
	code, out, errOut := h.run("stop")
	for _, want := range []string{"STOPPED", "stopped by request", "62", "+10.00 USD", "-1.50 USD", "BTC-USD", "STILL RUNNING",
		"REALIZED PNL (BEFORE FEES)", "UNREALIZED PNL (BEFORE FEES)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if code != 0 || !strings.Contains(errOut, "WARNING") || !strings.Contains(errOut, "market_data") {
		t.Errorf("exit %d, stderr %q: want 0 and a warning naming market_data", code, errOut)
	}
}

func TestStatusOutput(t *testing.T) {
	h := newHarness(t)
	_, out, _ := h.run("status")
	for _, want := range []string{"DEGRADED: market data late by 3s", "TICKS/ORDERS/FILLS", "coordinator", "market_data", "late by 3s",
		"PNL (AFTER FEES)", "16.23 (from a peak of 100020.5)"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = h.run("status", "-o", "json")
	var resp tradingv1.GetStatusResponse
	if err := protojson.Unmarshal([]byte(out), &resp); err != nil || len(resp.GetHealth().GetComponents()) != 2 ||
		resp.GetHealth().GetMaxDrawdown() != "16.23" || resp.GetHealth().GetPeakEquity() != "100020.5" {
		t.Errorf("json status %v:\n%s", err, out)
	}
}

var watchLine = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} DEGRADED session=01234567 state=RUNNING up=1m2s ticks=62 ` +
	`equity=100012\.34 pnl_after_fees=\+12\.34 \[market_data: late by 3s\]$`)

func TestWatchHealthUntilCancel(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		h := newHarness(t)
		var out, errOut e2e.SyncBuffer
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan int)
		go func() { done <- h.exec(ctx, &out, &errOut, "-o", format, "watch-health") }()
		eventually(t, "two reports", func() bool { return strings.Count(out.String(), "\n") >= 2 })
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%s: exit %d after cancel: %s", format, code, errOut.String())
		}
		for _, l := range lines(out.String()) {
			var r tradingv1.HealthReport
			if format == "table" && !watchLine.MatchString(l) {
				t.Errorf("line %q does not match %v", l, watchLine)
			}
			if format == "json" && protojson.Unmarshal([]byte(l), &r) != nil {
				t.Errorf("line %q is not a HealthReport", l)
			}
		}
	}
}

func TestWatchHealthReportsReconnect(t *testing.T) {
	h := newHarness(t)
	var out, errOut e2e.SyncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() { done <- h.exec(ctx, &out, &errOut, "watch-health") }()
	eventually(t, "a report", func() bool { return out.String() != "" })
	h.stop()
	eventually(t, "lost connection", func() bool {
		return strings.Contains(errOut.String(), "tradectl: lost connection to "+testAddr)
	})
	h.start()
	eventually(t, "reconnected", func() bool { return strings.Contains(errOut.String(), "tradectl: reconnected to "+testAddr) })
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
}

// A live session's status shows no paper venue settings: the daemon echoes
// the paper defaults (seed, 2 and 5 bps, latency, starting cash) in every
// session's settings, and under MODE LIVE they read as the fees paid.
func TestStatusOfALiveSessionOmitsPaperSettings(t *testing.T) {
	maker, taker := int64(2), int64(5)
	settings := func(mode tradingv1.Mode) *tradingv1.SessionSettings {
		return &tradingv1.SessionSettings{Mode: mode, Seed: 4242, MakerFeeBps: &maker, TakerFeeBps: &taker,
			Latency: durationpb.New(150 * time.Millisecond), StartingCash: "100000", Strategy: "sma"}
	}
	paperRows := []string{"SEED", "4242", "maker 2 bps, taker 5 bps", "LATENCY", "150ms", "STARTING CASH"}
	for _, mode := range []tradingv1.Mode{tradingv1.Mode_MODE_PAPER, tradingv1.Mode_MODE_LIVE} {
		h := newHarness(t)
		h.fake.status = testSession(settings(mode))
		_, out, _ := h.run("status")
		live := mode == tradingv1.Mode_MODE_LIVE
		for _, p := range paperRows {
			if strings.Contains(out, p) == live {
				t.Errorf("%v: status shows %q: %v, want %v:\n%s", mode, p, !live, !live, out)
			}
		}
		if strings.Contains(out, liveFees) != live {
			t.Errorf("%v: FEES row:\n%s", mode, out)
		}
		_, out, _ = h.run("status", "-o", "json")
		var resp tradingv1.GetStatusResponse
		if err := protojson.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("%v: json status: %v\n%s", mode, err, out)
		}
		s := resp.GetSession().GetSettings()
		paper := s.GetSeed() != 0 || s.MakerFeeBps != nil || s.TakerFeeBps != nil || s.GetLatency() != nil || s.GetStartingCash() != ""
		if paper == live || s.GetStrategy() != "sma" {
			t.Errorf("%v: json settings %v: paper fields present %v, want %v", mode, s, paper, !live)
		}
	}
}
