package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// stopSlack is the time the daemon gets, beyond the stop deadline, to answer
// with the final summary.
const stopSlack = 5 * time.Second

func newStopCommand(a *app) *cobra.Command {
	var (
		deadline time.Duration
		keepOpen bool
		only     sessionID
	)
	cmd := &cobra.Command{
		Use:   "stop [--deadline 10s] [--keep-open-orders] [--session ID]",
		Short: "Stop the trading session and print its final summary",
		Long: `Stop the running session gracefully and print its final summary.

tradingd waits up to --deadline for the session to wind down. The call's own
time limit is the larger of --timeout and --deadline plus 5s, so the summary
is not lost to a short --timeout. Stopping when nothing runs is not an error.

A stop cancels the session's resting orders unless --keep-open-orders is
given. Orders left open at the venue are shown in the summary and, whatever
-o says, on stderr.

If the session this stop began (or one still stopping) did not reach
STOPPED within --deadline, the summary names what did not stop and the
orders left unsettled, and tradectl exits 7.

With --session ID, only that session is stopped: if another one is the
current (or last) session, nothing is stopped and tradectl exits 6 naming
it. A script that looked at a session first stops what it looked at, not
one started since.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if deadline <= 0 {
				return usageError{errors.New("--deadline must be positive")}
			}
			var resp *tradingv1.StopTradingResponse
			err := a.withClient(cmd.Context(), stopTimeout(a.timeout, deadline), func(ctx context.Context, c *client.Client) (err error) {
				var opts []client.StopOption
				if keepOpen {
					opts = append(opts, client.KeepOpenOrders())
				}
				if only != "" {
					opts = append(opts, client.StopOnlySession(string(only)))
				}
				resp, err = c.StopTrading(ctx, deadline, opts...)
				return err
			})
			if err != nil {
				return err
			}
			if err := a.printer.StopTrading(resp); err != nil {
				return err
			}
			if err := stopOutcome(resp, deadline); err != nil {
				return err // one line naming what did not stop and what was not settled
			}
			// On stderr as well, whatever -o says: a child that would not stop
			// is a goroutine still running in tradingd, which nobody should miss.
			if kids := resp.GetSession().GetSummary().GetUnstoppedChildren(); len(kids) > 0 {
				fmt.Fprintf(a.stderr, "tradectl: WARNING: did not stop within %s and may still be running in tradingd: %s\n",
					deadline, strings.Join(kids, ", "))
			}
			if ids := resp.GetUnsettledOrders(); len(ids) > 0 {
				fmt.Fprintf(a.stderr, "tradectl: WARNING: %d orders the stop meant to cancel were not settled within %s and may still be open at the venue: %s\n",
					len(ids), deadline, firstIDs(ids, 10))
			}
			if resp.GetWasRunning() { // else an earlier stop left them, and said so
				warnOpenOrders(a, resp.GetSession().GetSummary().GetOpenOrders(), keepOpen)
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&deadline, "deadline", 10*time.Second, "how long tradingd may take to wind the session down (at most 5m)")
	cmd.Flags().BoolVar(&keepOpen, "keep-open-orders", false, "leave the session's resting orders at the venue instead of cancelling them")
	cmd.Flags().Var(&only, "session", "stop only this session: another one running (or the last) is left alone, exit 6")
	return cmd
}

// warnOpenOrders says on stderr that orders outlive the session: as asked,
// or, worse, although the stop should have cancelled them.
func warnOpenOrders(a *app, n uint32, kept bool) {
	switch {
	case n == 0:
	case kept:
		fmt.Fprintf(a.stderr, "tradectl: NOTE: %d orders left OPEN at the venue (--keep-open-orders); see 'tradectl orders --open'; 'tradectl start --resume' trades them again\n", n)
	default:
		fmt.Fprintf(a.stderr, "tradectl: WARNING: %d orders are still OPEN at the venue although the stop should have cancelled them; "+
			"see 'tradectl orders --open'\n", n)
	}
}

func stopTimeout(timeout, deadline time.Duration) time.Duration {
	return max(timeout, deadline+stopSlack)
}

// errStopIncomplete: the session did not reach STOPPED within the stop's
// deadline.
var errStopIncomplete = errors.New("stop incomplete")

// stopOutcome is nil when the stop ended the session STOPPED, or when no
// stop was under way (nothing ran: not an error), and errStopIncomplete
// otherwise, naming where the session stands, what still runs and which
// orders were not settled.
func stopOutcome(resp *tradingv1.StopTradingResponse, deadline time.Duration) error {
	s := resp.GetSession()
	st := s.GetState()
	if s == nil || st == tradingv1.SessionState_SESSION_STATE_STOPPED ||
		(!resp.GetWasRunning() && st != tradingv1.SessionState_SESSION_STATE_STOPPING) {
		return nil
	}
	var left []string
	if kids := s.GetSummary().GetUnstoppedChildren(); len(kids) > 0 {
		left = append(left, "still running in tradingd: "+strings.Join(kids, ", "))
	}
	if ids := resp.GetUnsettledOrders(); len(ids) > 0 {
		left = append(left, fmt.Sprintf("%d orders not settled, may still be open at the venue: %s", len(ids), firstIDs(ids, 10)))
	}
	msg := fmt.Sprintf("session %s is %s, not STOPPED, after --deadline %s", s.GetId(), strings.TrimPrefix(st.String(), "SESSION_STATE_"), deadline)
	if len(left) > 0 {
		msg += " (" + strings.Join(left, "; ") + ")"
	}
	return fmt.Errorf("%w: %s", errStopIncomplete, msg)
}

func firstIDs(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}
