package settings

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tradectl/tradectl/internal/echo"
)

// ErrLiveUnavailable: live trading needs a venue, and the daemon was
// started without one (tradingd --venue).
var ErrLiveUnavailable = errors.New("live trading is not available: this daemon has no venue configured " +
	"(tradingd --venue binance); start with --paper (MODE_PAPER)")

// FieldsError refuses settings for several fields at once, each named as
// the API names it, so that one answer lists everything to fix.
type FieldsError struct {
	Why    string
	Fields []InvalidError
}

func (e *FieldsError) Error() string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Field
	}
	return fmt.Sprintf("%s: %s", e.Why, strings.Join(names, ", "))
}

func (e *FieldsError) Unwrap() error { return ErrInvalid }

// RequireAllLimits refuses a live session whose risk limits are not all
// set (each one positive): on a production venue every limit is a
// promise about real money, and a default that happens to fit the paper
// account is not one. It checks the settings as requested, before
// defaults: limits left to the defaults are not set.
func (s Settings) RequireAllLimits() error {
	var missing []InvalidError
	add := func(field string, set bool) {
		if !set {
			missing = append(missing, InvalidError{Field: "settings.risk." + field,
				Reason: "must be set (positive) for a live session on a production venue"})
		}
	}
	var l = s.Risk
	if l == nil {
		for _, f := range []string{"max_order_notional", "max_position", "max_open_orders", "max_orders_per_second",
			"max_drawdown", "max_trailing_drawdown"} {
			add(f, false)
		}
	} else {
		add("max_order_notional", l.MaxOrderNotional.IsPositive())
		add("max_position", l.MaxPosition.IsPositive())
		add("max_open_orders", l.MaxOpenOrders > 0)
		add("max_orders_per_second", l.MaxOrdersPerSecond > 0)
		add("max_drawdown", l.MaxDrawdown.IsPositive())
		add("max_trailing_drawdown", l.MaxTrailingDrawdown.IsPositive())
	}
	if len(missing) == 0 {
		return nil
	}
	return &FieldsError{Why: "a production venue trades only with every risk limit set; missing", Fields: missing}
}

// validateLiveSymbols checks a live session's symbols: any BASE-USD the
// venue may list (USD standing for its quote asset), not only the paper
// simulator's; the venue refuses the ones it does not list.
func validateLiveSymbols(symbols []string) error {
	for i, s := range symbols {
		base, quote, ok := strings.Cut(s, "-")
		if !ok || quote != "USD" || !isAssetCode(base) {
			return fmt.Errorf("malformed symbol %s: a live session trades BASE-USD, in uppercase letters and digits, such as BTC-USD",
				echo.Quote(s))
		}
		if slices.Contains(symbols[:i], s) {
			return fmt.Errorf("symbol %s given more than once", echo.Quote(s))
		}
	}
	return nil
}

func isAssetCode(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// validateLiveOnly refuses the paper venue's settings in a live session:
// the venue sets its own fees, latency and balances, and a value given for
// them would be silently ignored. Every one given is named.
func (s Settings) validateLiveOnly() error {
	var given []InvalidError
	add := func(field string, set bool) {
		if set {
			given = append(given, InvalidError{Field: field, Reason: "is the paper venue's; a live venue has its own"})
		}
	}
	add("settings.seed", s.Seed != 0)
	add("settings.maker_fee_bps", s.MakerFeeBps != nil)
	add("settings.taker_fee_bps", s.TakerFeeBps != nil)
	add("settings.latency", s.Latency != 0)
	add("settings.starting_cash", !s.StartingCash.IsZero())
	add("settings.account", s.Account == AccountMargin)
	add("settings.max_borrow", !s.MaxBorrow.IsZero())
	add("settings.borrow_rate_bps", s.BorrowRateBps != 0)
	if len(given) == 0 {
		return nil
	}
	return &FieldsError{Why: "a live session does not take the paper venue's settings", Fields: given}
}
