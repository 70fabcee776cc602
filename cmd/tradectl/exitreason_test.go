package main

import (
	"testing"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// exitByReason is the exit code of each reason the daemon can send, keyed
// by the enum: a new reason fails TestEveryReasonHasAnExitCode until someone
// decides how tradectl ends on it. Most follow their code's sentinel in
// exitCodes; 1 is a reason no row stands for.
var exitByReason = map[tradingv1.ErrorReason]int{
	tradingv1.ErrorReason_ERROR_REASON_INVALID_SETTINGS:         5,
	tradingv1.ErrorReason_ERROR_REASON_INVALID_REQUEST:          5,
	tradingv1.ErrorReason_ERROR_REASON_TRADING_ALREADY_RUNNING:  6,
	tradingv1.ErrorReason_ERROR_REASON_TRADING_STOPPING:         6,
	tradingv1.ErrorReason_ERROR_REASON_LIVE_TRADING_UNAVAILABLE: 6,
	tradingv1.ErrorReason_ERROR_REASON_NO_SESSION:               6,
	tradingv1.ErrorReason_ERROR_REASON_NOTHING_TO_RESUME:        6,
	tradingv1.ErrorReason_ERROR_REASON_SESSION_INTERRUPTED:      6,
	tradingv1.ErrorReason_ERROR_REASON_SESSION_NOT_INTERRUPTED:  6,
	tradingv1.ErrorReason_ERROR_REASON_SESSION_NOT_FOUND:        11,
	tradingv1.ErrorReason_ERROR_REASON_NO_STORE:                 6,
	tradingv1.ErrorReason_ERROR_REASON_STORE_FAILED:             6,
	tradingv1.ErrorReason_ERROR_REASON_NOT_FOUND:                11,
	tradingv1.ErrorReason_ERROR_REASON_INVALID:                  5,
	tradingv1.ErrorReason_ERROR_REASON_BACKUP_PATH_UNUSABLE:     6,
	tradingv1.ErrorReason_ERROR_REASON_BACKUP_IN_PROGRESS:       9,
	tradingv1.ErrorReason_ERROR_REASON_BACKUP_LIMIT:             9,
	tradingv1.ErrorReason_ERROR_REASON_BACKUP_NO_SPACE:          9,
	tradingv1.ErrorReason_ERROR_REASON_ALREADY_EXISTS:           5,
	tradingv1.ErrorReason_ERROR_REASON_SEQUENCE_AHEAD:           1,
	tradingv1.ErrorReason_ERROR_REASON_WATCHER_LAGGED:           9,
	tradingv1.ErrorReason_ERROR_REASON_SHUTTING_DOWN:            3,
	tradingv1.ErrorReason_ERROR_REASON_DEADLINE_EXCEEDED:        7,
	tradingv1.ErrorReason_ERROR_REASON_CANCELLED:                1,
	tradingv1.ErrorReason_ERROR_REASON_TOKEN_MISSING:            4,
	tradingv1.ErrorReason_ERROR_REASON_TOKEN_INVALID:            4,
	tradingv1.ErrorReason_ERROR_REASON_RATE_LIMITED:             9,
	tradingv1.ErrorReason_ERROR_REASON_TOO_MANY_WATCHERS:        9,
	tradingv1.ErrorReason_ERROR_REASON_TOO_MANY_PENDING_CALLS:   9,
	// Strategy reasons come on a strategy's stream, not to tradectl; if one
	// ever did, it would end as its code's sentinel does.
	tradingv1.ErrorReason_ERROR_REASON_STRATEGY_ATTACHED:     6,
	tradingv1.ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED: 11,
	tradingv1.ErrorReason_ERROR_REASON_STRATEGY_TOO_SLOW:     9,
	tradingv1.ErrorReason_ERROR_REASON_DECISION_INVALID:      5,
	tradingv1.ErrorReason_ERROR_REASON_ORDER_REFUSED:         6,
	tradingv1.ErrorReason_ERROR_REASON_VENUE_UNAVAILABLE:     13,
	// The dashboard runs backtests in the daemon; tradectl runs its own.
	tradingv1.ErrorReason_ERROR_REASON_BACKTEST_BUSY:   9,
	tradingv1.ErrorReason_ERROR_REASON_SESSION_CHANGED: 6,
}

func TestEveryReasonHasAnExitCode(t *testing.T) {
	h := newHarness(t)
	for n, name := range tradingv1.ErrorReason_name {
		r := tradingv1.ErrorReason(n)
		if r == tradingv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			continue
		}
		want, ok := exitByReason[r]
		if !ok {
			t.Errorf("%s: no exit code decided (exitByReason)", name)
			continue
		}
		h.fake.err = r.Status("words", nil).Err()
		if code, _, errOut := h.run("status"); code != want {
			t.Errorf("%s: exit %d (%q), want %d", name, code, errOut, want)
		}
	}
}
