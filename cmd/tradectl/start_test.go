package main

import (
	"strings"
	"testing"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func TestStartStrategyRiskAndFees(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("start", "--paper", "--strategy", "grid", "--param", "levels=5", "--param", "spacing=0.5,1",
		"--param", "note=a=b", "--max-order-notional", "1000.50", "--max-open-orders", "-1", "--max-drawdown", "0.2", "--max-position", "0",
		"--maker-fee-bps", "0", "--latency", "50ms", "--starting-cash", "5000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := h.fake.settings
	if s.GetStrategy() != "grid" || len(s.GetParams()) != 3 || s.GetParams()["spacing"] != "0.5,1" || s.GetParams()["note"] != "a=b" {
		t.Errorf("strategy and params sent: %v", s)
	}
	r := s.GetRisk()
	if r.GetMaxOrderNotional() != "1000.50" || r.GetMaxOpenOrders() != -1 || r.GetMaxDrawdown() != "0.2" ||
		r.GetMaxPosition() != "0" || r.GetMaxOrdersPerSecond() != 0 || r.GetMaxTrailingDrawdown() != "" {
		t.Errorf("risk limits sent: %v", r)
	}
	// An explicit 0 bps is sent; the fee not given stays unset.
	if s.MakerFeeBps == nil || *s.MakerFeeBps != 0 || s.TakerFeeBps != nil {
		t.Errorf("fees sent: maker %v, taker %v", s.MakerFeeBps, s.TakerFeeBps)
	}
	if s.GetLatency().AsDuration() != 50*time.Millisecond || s.GetStartingCash() != "5000" {
		t.Errorf("latency, cash sent: %v", s)
	}
	mustContain(t, "start table", out, "grid", "levels=5, note=a=b, spacing=0.5,1", "maker 0 bps, taker default",
		"max order notional 1000.50, max position off, max open orders off, max drawdown 0.2", "50ms", "5000")

	if code, _, errOut := h.run("start", "--paper", "--taker-fee-bps", "7"); code != 0 ||
		h.fake.settings.MakerFeeBps != nil || h.fake.settings.GetTakerFeeBps() != 7 || h.fake.settings.Risk != nil {
		t.Errorf("exit %d (%s), sent %v", code, errOut, h.fake.settings)
	}
}

func TestStartBadParamIsUsageError(t *testing.T) {
	for _, params := range [][]string{{"fast"}, {"=5"}, {" =5"}, {"fast=5", "fast=6"}} {
		h := newHarness(t)
		args := []string{"start", "--paper"}
		for _, p := range params {
			args = append(args, "--param", p)
		}
		code, _, errOut := h.run(args...)
		if code != 2 || !strings.Contains(errOut, "--param") || h.fake.settings != nil {
			t.Errorf("%v: exit %d, %q; want 2 before any call", params, code, errOut)
		}
	}
}

// A remote strategy's name passes through as typed; its supervision flags
// are sent only when given, and echoed in the table.
func TestStartRemoteStrategy(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("start", "--paper", "--strategy", "remote:alpha", "--on-detach", "keep",
		"--attach-grace", "5m", "--answer-timeout", "250ms")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := h.fake.settings
	if s.GetStrategy() != "remote:alpha" || s.GetOnDetach() != tradingv1.DetachPolicy_DETACH_POLICY_KEEP ||
		s.GetAttachGrace().AsDuration() != 5*time.Minute || s.GetAnswerTimeout().AsDuration() != 250*time.Millisecond {
		t.Errorf("sent %v", s)
	}
	mustContain(t, "start table", out, "remote:alpha", "on detach keep, attach grace 5m0s, answer timeout 250ms")

	if code, out, errOut := h.run("start", "--paper", "--strategy", "remote:beta", "--on-detach", "cancel"); code != 0 ||
		h.fake.settings.GetOnDetach() != tradingv1.DetachPolicy_DETACH_POLICY_CANCEL ||
		h.fake.settings.AttachGrace != nil || h.fake.settings.AnswerTimeout != nil ||
		!strings.Contains(out, "on detach cancel, attach grace default, answer timeout default") {
		t.Errorf("exit %d (%s), sent %v, printed %s", code, errOut, h.fake.settings, out)
	}
	// A built-in strategy's table has no such row.
	if code, out, _ := h.run("start", "--paper"); code != 0 || h.fake.settings.GetOnDetach() != 0 || strings.Contains(out, "SUPERVISION") {
		t.Errorf("built-in: exit %d, sent %v, printed %s", code, h.fake.settings, out)
	}
	// A zero duration is sent as given, for the daemon to refuse by name
	// rather than take its default in the user's place.
	if code, _, errOut := h.run("start", "--paper", "--strategy", "remote:a", "--attach-grace", "0s"); code != 0 ||
		h.fake.settings.AttachGrace == nil || h.fake.settings.GetAttachGrace().AsDuration() != 0 {
		t.Errorf("--attach-grace 0s: exit %d (%s), sent %v", code, errOut, h.fake.settings)
	}
}

func TestStartBadOnDetachIsUsageError(t *testing.T) {
	for _, v := range []string{"drop", "", "KEEP"} {
		h := newHarness(t)
		code, _, errOut := h.run("start", "--paper", "--strategy", "remote:a", "--on-detach", v)
		if code != 2 || !strings.Contains(errOut, "--on-detach") || h.fake.settings != nil {
			t.Errorf("--on-detach %q: exit %d, %q; want 2 before any call", v, code, errOut)
		}
	}
}
