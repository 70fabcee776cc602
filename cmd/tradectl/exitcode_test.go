package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func rateLimited(d time.Duration) error {
	st, err := status.New(codes.ResourceExhausted, "rate limit: 20 calls/s per peer; retry in "+d.String()).
		WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(d)})
	if err != nil {
		panic(err)
	}
	return st.Err()
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*harness)
		args  []string
		code  int
		say   string // in stderr
	}{
		{"ok", nil, []string{"status"}, 0, ""},
		{"other", func(h *harness) { h.fake.err = status.Error(codes.Aborted, "no such thing") }, []string{"status"}, 1, "no such thing"},
		{"bad flag", nil, []string{"status", "--nope"}, 2, "unknown flag: --nope"},
		{"bad output", nil, []string{"-o", "yaml", "status"}, 2, `unknown output format "yaml"`},
		{"extra arg", nil, []string{"status", "now"}, 2, "unknown command"},
		{"bad deadline", nil, []string{"stop", "--deadline", "0s"}, 2, "--deadline must be positive"},
		{"bad addr", nil, []string{"--addr", "notanaddr", "status"}, 2, `bad address "notanaddr": want HOST:PORT`},
		{"addr without port", nil, []string{"--addr", "localhost:", "status"}, 2, "the port is missing"},
		{"unreachable", (*harness).stop, []string{"status"}, 3, "is tradingd running at " + testAddr + "? (--addr, TRADECTL_ADDR)"},
		{"wrong token", func(h *harness) { os.WriteFile(h.tokenFile, []byte("nope"), 0o600) }, []string{"status"}, 4, "--token-file"},
		{"no token file", func(h *harness) { os.Remove(h.tokenFile) }, []string{"status"}, 4, "tradingd writes its token"},
		{"invalid", func(h *harness) { h.fake.err = status.Error(codes.InvalidArgument, "symbols[0]: want BASE-QUOTE") },
			[]string{"start", "--paper"}, 5, "invalid argument: symbols[0]: want BASE-QUOTE"},
		{"live", nil, []string{"start"}, 6, "tradectl: live trading is not available; use --paper\n"},
		{"already running", func(h *harness) {
			h.fake.err = withInfo(codes.FailedPrecondition, "a trading session is already running (session 0123456789abcdef)", client.ReasonAlreadyRunning)
		}, []string{"start", "--paper"}, 6, "tradectl: a trading session is already running (session 0123456789abcdef)\n"},
		{"deadline", func(h *harness) { h.fake.block = true }, []string{"--timeout", "50ms", "status"}, 7, "raise --timeout"},
		{"stop not complete", func(h *harness) {
			s := testSession(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER})
			s.State, s.Reason = tradingv1.SessionState_SESSION_STATE_FAILED, "stopped by request; did not stop within 100ms: coordinator"
			s.Summary = &tradingv1.SessionSummary{UnstoppedChildren: []string{"coordinator"}}
			h.fake.stopResp = &tradingv1.StopTradingResponse{Session: s, WasRunning: true, UnsettledOrders: []string{"ab-1", "ab-2"}}
		}, []string{"stop", "--deadline", "100ms"}, 7, "stop incomplete: session 0123456789abcdef is FAILED, not STOPPED, after --deadline 100ms " +
			"(still running in tradingd: coordinator; 2 orders not settled, may still be open at the venue: ab-1, ab-2)"},
		{"stop still stopping", func(h *harness) {
			s := testSession(&tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER})
			s.State = tradingv1.SessionState_SESSION_STATE_STOPPING
			h.fake.stopResp = &tradingv1.StopTradingResponse{Session: s, UnsettledOrders: []string{"ab-1"}}
		}, []string{"stop", "--deadline", "100ms"}, 7, "is STOPPING, not STOPPED, after --deadline 100ms (1 orders not settled, may still be open at the venue: ab-1)"},
		{"internal", func(h *harness) { h.fake.err = status.Error(codes.Internal, "boom") }, []string{"status"}, 8, "boom"},
		{"exhausted", func(h *harness) { h.fake.err = status.Error(codes.ResourceExhausted, "too many calls") }, []string{"orders"}, 9,
			"resource exhausted: too many calls"},
		{"rate limited", func(h *harness) { h.fake.err = rateLimited(1500 * time.Millisecond) }, []string{"status"}, 9,
			"tradingd takes the next call in 1.5s"},
		{"unimplemented", func(h *harness) { h.fake.err = status.Error(codes.Unimplemented, "unknown method ListOrders") },
			[]string{"orders"}, 10, "upgrade tradingd"},
		{"nothing to resume", func(h *harness) {
			h.fake.err = withInfo(codes.FailedPrecondition, "no interrupted session to resume", client.ReasonNothingToResume)
		}, []string{"start", "--resume"}, 6, "'tradectl start --paper' starts a new one"},
		{"interrupted", func(h *harness) {
			h.fake.err = withInfo(codes.FailedPrecondition, "a session is INTERRUPTED: 0123456789abcdef", client.ReasonSessionInterrupted)
		}, []string{"start", "--paper"}, 6, "'tradectl start --resume [--session ID]' carries it on"},
		{"session changed", func(h *harness) {
			h.fake.err = withInfo(codes.FailedPrecondition, "the session has changed: the call named session feed, "+
				"but the current session is 0123456789abcdef; nothing was done", client.ReasonSessionChanged)
		}, []string{"stop", "--session", "feed"}, 6, "'tradectl status' shows the current session"},
		{"reset session changed", func(h *harness) {
			h.fake.err = withInfo(codes.FailedPrecondition, "the session has changed", client.ReasonSessionChanged)
		}, []string{"kill-switch", "reset", "--reason", "ok", "--session", "feed"}, 6, "tradectl: the session has changed\ntradectl: 'tradectl status' shows"},
		{"stop empty session", nil, []string{"stop", "--session", ""}, 2, "give a session id"},
		{"reset empty session", nil, []string{"kill-switch", "reset", "--reason", "ok", "--session="}, 2, "give a session id"},
		{"session without resume", nil, []string{"start", "--paper", "--session", "x"}, 2, "--session names the session to resume"},
		{"abandon with resume", nil, []string{"start", "--resume", "--abandon-interrupted"}, 2, "cannot go with --resume"},
		{"no store", func(h *harness) {
			h.fake.err = withInfo(codes.FailedPrecondition, "the daemon runs without a store", client.ReasonNoStore)
		}, []string{"fills"}, 6, "failed precondition: the daemon runs without a store"},
		{"unknown session", func(h *harness) {
			h.fake.err = withInfo(codes.NotFound, `no such session "feed"`, client.ReasonSessionNotFound)
		}, []string{"orders", "--session", "feed"}, 11, "'tradectl sessions' lists the sessions"},
		{"unknown session fills", func(h *harness) { h.fake.err = status.Error(codes.NotFound, `no such session "feed"`) },
			[]string{"fills", "--session", "feed"}, 11, `not found: no such session "feed"`},
		{"backup without file", nil, []string{"backup"}, 2, "accepts 1 arg(s), received 0"},
		{"backup empty file", nil, []string{"backup", ""}, 2, "NAME must not be empty"},
		{"sessions negative limit", nil, []string{"sessions", "--limit", "-1"}, 2, "--limit must not be negative"},
		{"fills negative limit", nil, []string{"fills", "--limit", "-1"}, 2, "--limit must not be negative"},
		{"bad param", nil, []string{"start", "--paper", "--param", "fast"}, 2, `--param "fast": want NAME=VALUE`},
		{"empty symbols", nil, []string{"start", "--paper", "--symbols", ""}, 2, "--symbols is empty"},
		{"empty starting cash", nil, []string{"start", "--paper", "--starting-cash", ""}, 2, "--starting-cash is empty"},
		{"empty strategy", nil, []string{"backtest", "--sim", "--strategy="}, 2, "--strategy is empty"},
		// An empty --account traded on a cash account: the default stood in for what was typed.
		{"empty account", nil, []string{"start", "--paper", "--account="}, 2, "--account is empty"},
		// A seed of 0 is no seed on the wire: the daemon picked a random one.
		{"zero seed", nil, []string{"start", "--paper", "--seed", "0"}, 2, "--seed 0"},
		// An empty id (an unset shell variable) read as the flag left out:
		// another session shown, or the newest interrupted one resumed.
		{"empty session resume", nil, []string{"start", "--resume", "--session", ""}, 2, `invalid argument "" for "--session"`},
		{"empty session orders", nil, []string{"orders", "--session="}, 2, `invalid argument "" for "--session"`},
		{"empty session fills", nil, []string{"fills", "--session", ""}, 2, `invalid argument "" for "--session"`},
		{"empty session portfolio", nil, []string{"portfolio", "--session", ""}, 2, `invalid argument "" for "--session"`},
		// gRPC cannot send it: the client's marshaling failed and was
		// reported as an internal error of tradingd (exit 8).
		// A backup NAME that is taken is the caller's mistake, named as
		// such: it exited 1 with "AlreadyExists: ...".
		{"backup name taken", func(h *harness) {
			h.fake.err = status.Error(codes.AlreadyExists, "store: backup to /d/backups/b.db: file already exists: refusing to overwrite it")
		}, []string{"backup", "b.db"}, 5, "tradectl: store: backup to /d/backups/b.db: file already exists"},
		{"invalid UTF-8 flag", nil, []string{"start", "--resume", "--session", "\xff\xfe"}, 2, "--session is not valid UTF-8"},
		{"invalid UTF-8 argument", nil, []string{"backup", "\xffx.db"}, 2, "is not valid UTF-8"},
		{"negative timeout", nil, []string{"--timeout", "-1s", "status"}, 2, "--timeout -1s: must not be negative"},
		{"no reason", nil, []string{"kill-switch", "reset"}, 2, "--reason is required"},
		{"negative limit", nil, []string{"orders", "--limit", "-1"}, 2, "--limit must not be negative"},
		{"unknown verb", nil, []string{"kill-switch", "status"}, 2, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			code, _, errOut := h.run(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.say) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.say)
			}
			if code != 0 && !strings.HasPrefix(errOut, "tradectl: ") || len(lines(errOut)) > 2 {
				t.Errorf("stderr is not one error line and at most one hint: %q", errOut)
			}
		})
	}
}

func TestHelpListsEveryExitCode(t *testing.T) {
	_, help, _ := newHarness(t).run("--help")
	for _, row := range exitCodes {
		if !strings.Contains(help, fmt.Sprintf("  %-4d%s\n", row.code, row.meaning)) {
			t.Errorf("root help lacks exit code %d, %q:\n%s", row.code, row.meaning, help)
		}
	}
}
