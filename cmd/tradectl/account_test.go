package main

import (
	"strings"
	"testing"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

func TestStartAccountFlags(t *testing.T) {
	h := newHarness(t)
	code, _, errOut := h.run("start", "--paper", "--account", "margin", "--max-borrow", "25000", "--borrow-rate-bps", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := h.fake.settings
	if s.GetAccount() != tradingv1.Account_ACCOUNT_MARGIN || s.GetMaxBorrow() != "25000" || s.BorrowRateBps == nil || s.GetBorrowRateBps() != 0 {
		t.Errorf("sent %v", s)
	}
	if code, _, _ := h.run("start", "--paper"); code != 0 || h.fake.settings.GetAccount() != tradingv1.Account_ACCOUNT_UNSPECIFIED ||
		h.fake.settings.BorrowRateBps != nil {
		t.Errorf("unset account flags sent: %v", h.fake.settings)
	}

	h = newHarness(t)
	code, _, errOut = h.run("start", "--paper", "--account", "short")
	if code != 2 || !strings.Contains(errOut, `--account "short": want cash or margin`) || h.fake.settings != nil {
		t.Errorf("--account short: exit %d, %q; want 2 before any call", code, errOut)
	}
}

func TestAccountIsShown(t *testing.T) {
	rate := int64(500)
	for _, tc := range []struct {
		s    *tradingv1.SessionSettings
		want string
	}{
		{&tradingv1.SessionSettings{}, "-"},
		{&tradingv1.SessionSettings{Account: tradingv1.Account_ACCOUNT_CASH}, "cash"},
		{&tradingv1.SessionSettings{Account: tradingv1.Account_ACCOUNT_MARGIN, MaxBorrow: "25000", BorrowRateBps: &rate},
			"margin, max borrow 25000, interest 500 bps a year"},
	} {
		if got := account(tc.s); got != tc.want {
			t.Errorf("account(%v) = %q, want %q", tc.s, got, tc.want)
		}
	}
}
