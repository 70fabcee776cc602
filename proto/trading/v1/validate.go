package tradingv1

// Hand-written beside the generated code: structural checks on requests that
// go-grpc-middleware's validator interceptor runs before any handler, so a
// malformed request is refused with INVALID_ARGUMENT naming the field. The
// daemon's domain layer then checks meaning (known symbols, bounds).

import (
	"fmt"
	"regexp"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
)

// MaxSymbols bounds the symbols of one session.
const MaxSymbols = 50

// MaxStopDeadline bounds StopTradingRequest.deadline.
const MaxStopDeadline = 5 * time.Minute

var symbolPattern = regexp.MustCompile(`^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$`)

// Validate checks the request's shape.
func (r *StartTradingRequest) Validate() error {
	s := r.GetSettings()
	if s == nil {
		return nil // all defaults
	}
	if _, known := Mode_name[int32(s.GetMode())]; !known {
		return fmt.Errorf("settings.mode: %d is not a mode (MODE_PAPER or MODE_LIVE)", s.GetMode())
	}
	if len(s.GetSymbols()) > MaxSymbols {
		return fmt.Errorf("settings.symbols: %d symbols given, at most %d allowed", len(s.GetSymbols()), MaxSymbols)
	}
	seen := make(map[string]bool, len(s.GetSymbols()))
	for i, sym := range s.GetSymbols() {
		if !symbolPattern.MatchString(sym) {
			return fmt.Errorf("settings.symbols[%d]: %q is not a symbol of the form BASE-QUOTE (for example BTC-USD)", i, truncate(sym))
		}
		if seen[sym] {
			return fmt.Errorf("settings.symbols[%d]: %s is listed twice", i, sym)
		}
		seen[sym] = true
	}
	for _, f := range []struct {
		name string
		d    *durationpb.Duration
	}{
		{"settings.duration", s.GetDuration()},
		{"settings.health_interval", s.GetHealthInterval()},
		{"settings.tick_interval", s.GetTickInterval()},
		{"settings.latency", s.GetLatency()},
	} {
		if err := nonNegative(f.name, f.d); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the request's shape.
func (r *StopTradingRequest) Validate() error {
	if err := nonNegative("deadline", r.GetDeadline()); err != nil {
		return err
	}
	if d := r.GetDeadline(); d != nil && d.AsDuration() > MaxStopDeadline {
		return fmt.Errorf("deadline: %s is longer than the maximum of %s", d.AsDuration(), MaxStopDeadline)
	}
	return nil
}

func nonNegative(name string, d *durationpb.Duration) error {
	if d == nil {
		return nil
	}
	if err := d.CheckValid(); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if d.AsDuration() < 0 {
		return fmt.Errorf("%s: must not be negative (got %s)", name, d.AsDuration())
	}
	return nil
}

// truncate keeps an echoed bad value short: error messages are not a place
// to reflect a megabyte of input.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
