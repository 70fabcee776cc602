package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/client"
)

const (
	exitOK    = 0
	exitError = 1
)

var errUsage = errors.New("usage error")

// errReport marks a backtest --report file that could not be written.
var errReport = errors.New("report not written")

// errInterrupted marks work the user stopped with Ctrl-C (or SIGTERM).
var errInterrupted = errors.New("interrupted")

// usageError marks a mistake in how tradectl was invoked.
type usageError struct{ err error }

func (e usageError) Error() string   { return e.err.Error() }
func (e usageError) Unwrap() []error { return []error{errUsage, e.err} }

// exitCodes is the one table from errors to exit codes, and the source of the
// exit-code section of the help. The first row the error matches wins, so
// usage errors come first and the precise sentinels before broad ones.
// In hints, {addr} stands for --addr.
var exitCodes = []struct {
	code    int
	err     error
	meaning string
	hint    string
}{
	{2, errUsage, "usage error: bad flag, argument or command", "see 'tradectl --help'"},
	{2, client.ErrBadAddress, "usage error: --addr (TRADECTL_ADDR) is not an address", ""},
	{2, client.ErrPlaintext, "refused: plaintext to a non-loopback --addr without --insecure", ""},
	{3, client.ErrUnavailable, "tradingd unreachable", "is tradingd running at {addr}? (--addr, TRADECTL_ADDR)"},
	{4, client.ErrUnauthenticated, "not authenticated: token missing or wrong",
		"the token must be the one tradingd wrote (--token-file, TRADECTL_TOKEN_FILE)"},
	{5, client.ErrInvalidArgument, "invalid argument, rejected by tradingd", ""},
	{5, errInvalidInput, "invalid input found by tradectl itself (backtest data or settings)", ""},
	{5, client.ErrAlreadyExists, "already exists: backup NAME is taken", "give another NAME"},
	{6, client.ErrNothingToResume, "failed precondition: start --resume found no interrupted session",
		"'tradectl sessions' lists the sessions; 'tradectl start --paper' starts a new one"},
	{6, client.ErrSessionInterrupted, "failed precondition: start refused while a session is INTERRUPTED",
		"'tradectl start --resume [--session ID]' carries it on; 'tradectl start --abandon-interrupted ...' cancels its orders and starts anew"},
	{6, client.ErrSessionChanged, "failed precondition: the session --session names is no longer the current one; nothing was done",
		"'tradectl status' shows the current session"},
	{6, client.ErrFailedPrecondition,
		"failed precondition: not possible in tradingd's current state (a session with other settings runs, live trading is unavailable, " +
			"tradingd runs without a store, ...)", ""},
	{7, client.ErrDeadlineExceeded, "deadline exceeded: tradingd did not answer in time", "raise --timeout"},
	{7, errStopIncomplete, "deadline exceeded: the session did not reach STOPPED within stop --deadline",
		"the summary names what did not stop; 'tradectl status' shows where it stands"},
	{8, client.ErrInternal, "internal error in tradingd", "see tradingd's log"},
	// Watches resubscribe after RESOURCE_EXHAUSTED (a watcher that fell
	// behind, or one refused at the cap), so only a one-shot call can end
	// with it.
	{9, client.ErrResourceExhausted, "resource exhausted: a limit of tradingd was hit", ""},
	{10, client.ErrUnimplemented, "not implemented: tradingd is older than tradectl", "upgrade tradingd"},
	{11, client.ErrNotFound, "not found: tradingd has no such session (--session)", "'tradectl sessions' lists the sessions"},
	{12, errNotConfirmed, "not confirmed: a live start on a production venue needs yes typed on a terminal, or --yes", ""},
	{13, client.ErrVenueUnavailable, "venue unavailable: tradingd could not reach its venue, or the venue refused its keys",
		"retry when the venue is reachable; keys it refused (-1022, -2014, -2015) need correcting in tradingd's --venue-keys, then a restart of tradingd"},
	{14, errReport, "the backtest report could not be written (--report)", ""},
	// 128 + SIGINT, as a shell reports a command that Ctrl-C ended.
	{130, errInterrupted, "interrupted (Ctrl-C) before it finished", ""},
}

// classify returns err's exit code and a hint for the user, "" if none helps.
func classify(err error, addr string) (int, string) {
	for _, row := range exitCodes {
		if errors.Is(err, row.err) {
			// A token file error already says where the token should be.
			if tfe := (*client.TokenFileError)(nil); errors.As(err, &tfe) {
				return row.code, ""
			}
			// tradingd's rate limit says when it will take the next call.
			if d, ok := client.RetryDelay(err); ok {
				return row.code, fmt.Sprintf("tradingd takes the next call in %s", d)
			}
			return row.code, strings.ReplaceAll(row.hint, "{addr}", addr)
		}
	}
	return exitError, ""
}

func exitCodeHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	// Codes padded to one width, so the meanings line up past 99 (130).
	fmt.Fprintf(&b, "  %-4d%s\n  %-4d%s\n", exitOK, "success", exitError, "any other error")
	for _, row := range exitCodes {
		fmt.Fprintf(&b, "  %-4d%s\n", row.code, row.meaning)
	}
	return b.String()
}
