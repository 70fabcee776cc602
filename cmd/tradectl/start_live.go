package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tradectl/tradectl/client"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// errNotConfirmed: a live session on a production venue was not confirmed
// (no --yes, and no terminal to ask on, or an answer other than yes).
var errNotConfirmed = errors.New("live start not confirmed")

// input is where tradectl asks the user: stdin, and whether it is a
// terminal (a script's pipe is not asked).
type input struct {
	r        io.Reader
	terminal bool
}

// stdinInput is the process's stdin.
func stdinInput() input {
	return input{r: os.Stdin, terminal: isTerminal(os.Stdin)}
}

// isTerminal: f is a character device other than the null device, which
// is one too (cron, systemd and nohup give it as stdin): taken for a
// terminal, tradectl asked it to type yes and read an empty answer.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}

// confirmLive shows where a live session would trade and, on a production
// venue, asks for "yes" unless --yes was given. A daemon without a venue
// (or one too old to say) gets the request as it is: it refuses live mode
// with its own clear error.
func confirmLive(cmd *cobra.Command, a *app, s *tradingv1.SessionSettings, yes bool) error {
	v, err := fetch(cmd.Context(), a, func(ctx context.Context, c *client.Client) (*tradingv1.GetVenueResponse, error) {
		return c.GetVenue(ctx)
	})
	if errors.Is(err, client.ErrUnimplemented) {
		return nil
	}
	if err != nil {
		return err
	}
	if !v.GetConfigured() {
		return nil
	}
	w := a.stderr // stdout stays the answer's, for -o json
	fmt.Fprintf(w, "LIVE session on %s %s", v.GetVenue(), v.GetEnvironment())
	if v.GetProduction() {
		fmt.Fprint(w, " (PRODUCTION: real money)")
	}
	fmt.Fprintln(w)
	account := v.GetAccount()
	if account == "" {
		account = "(the venue did not say)"
	}
	fmt.Fprintf(w, "  account:  %s\n", account)
	symbols := "(tradingd's default)"
	if len(s.GetSymbols()) > 0 {
		symbols = strings.Join(s.GetSymbols(), ", ")
	}
	fmt.Fprintf(w, "  symbols:  %s, USD standing for %s\n", symbols, v.GetQuoteAsset())
	fmt.Fprintf(w, "  limits:   %s\n", limitsLine(s.GetRisk()))
	if !v.GetProduction() || yes {
		return nil
	}
	if !a.in.terminal {
		return fmt.Errorf("%w: a production venue needs a yes typed on a terminal, or --yes", errNotConfirmed)
	}
	fmt.Fprint(w, "Type yes to start trading real money: ")
	answer, err := bufio.NewReader(a.in.r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %w", errNotConfirmed, err)
	}
	if strings.TrimSpace(answer) != "yes" {
		return fmt.Errorf("%w: the answer was not yes; nothing was started", errNotConfirmed)
	}
	return nil
}

// limitsLine shows the risk limits the request gives; those it leaves out
// are tradingd's defaults (a production venue refuses them).
func limitsLine(r *tradingv1.RiskLimits) string {
	if r == nil {
		return "tradingd's defaults"
	}
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	n := func(v int32) string {
		if v == 0 {
			return "default"
		}
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("order notional %s, position %s, open orders %s, orders/s %s, drawdown %s, trailing drawdown %s",
		or(r.GetMaxOrderNotional(), "default"), or(r.GetMaxPosition(), "default"), n(r.GetMaxOpenOrders()),
		n(r.GetMaxOrdersPerSecond()), or(r.GetMaxDrawdown(), "default"), or(r.GetMaxTrailingDrawdown(), "default"))
}
