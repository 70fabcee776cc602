package main

import (
	"strings"
	"testing"
	"time"
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
