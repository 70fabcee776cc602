package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tradectl/tradectl/client"
)

// lagMessage is what a watcher is told when tradingd ended its stream for
// falling behind.
const lagMessage = "fell behind; some events were missed — see tradectl orders"

// watchReporter tells the user, on stderr whatever -o says (stdout stays one
// record per line), how a watch's connection fares. Its callbacks all run on
// the watch's goroutine, so it needs no lock.
type watchReporter struct {
	a        *app
	announce string // said on the first connection, if not empty
	everUp   bool   // a stream has been up
	down     bool   // the last stream broke and none is up yet
	lagged   bool   // it broke because the watcher fell behind
}

func (w *watchReporter) options() []client.WatchOption {
	return []client.WatchOption{
		client.OnDisconnect(func(err error, retryIn time.Duration) {
			retry := retryIn.Round(10 * time.Millisecond)
			w.down = true
			var se *client.StatusError
			switch {
			case errors.As(err, &se) && se.Reason == client.ReasonWatcherLagged:
				w.lagged = true
				fmt.Fprintf(w.a.stderr, "tradectl: %s (%v); resubscribing in %s\n", lagMessage, err, retry)
			case errors.Is(err, client.ErrResourceExhausted):
				// The watcher cap or the rate limit: nothing was missed,
				// since nothing had begun (or the resubscription catches
				// up after the last event printed).
				fmt.Fprintf(w.a.stderr, "tradectl: tradingd refused the watch (%v); retrying in %s\n", err, retry)
			case w.everUp:
				fmt.Fprintf(w.a.stderr, "tradectl: lost connection to %s (%v); reconnecting in %s\n", w.a.addr, err, retry)
			default:
				fmt.Fprintf(w.a.stderr, "tradectl: cannot reach %s (%v); reconnecting in %s\n", w.a.addr, err, retry)
			}
		}),
		client.OnConnect(func() {
			switch {
			case w.lagged:
				fmt.Fprintf(w.a.stderr, "tradectl: resubscribed to %s\n", w.a.addr)
			case w.down && w.everUp:
				fmt.Fprintf(w.a.stderr, "tradectl: reconnected to %s\n", w.a.addr)
			case w.down:
				fmt.Fprintf(w.a.stderr, "tradectl: connected to %s\n", w.a.addr)
			case w.announce != "":
				fmt.Fprintf(w.a.stderr, "tradectl: %s\n", w.announce)
			}
			w.everUp, w.down, w.lagged = true, false, false
		}),
	}
}

// runWatch runs a watch until Ctrl-C, which is how watching ends (exit 0).
// --timeout does not apply: a watch is meant to run for as long as wanted.
func runWatch(cmd *cobra.Command, a *app, watch func(context.Context, *client.Client) error) error {
	err := a.withClient(cmd.Context(), 0, watch)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
