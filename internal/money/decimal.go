// Package money owns exact decimal arithmetic for prices, quantities and
// amounts of money: a fixed-point Decimal with Scale fractional digits held in
// an int64.
//
// It must never use floating point, never round without saying how (every
// rounding operation documents its mode), and never wrap around silently:
// an arithmetic result that does not fit panics with an error wrapping
// ErrOverflow (whose message starts "money: overflow"), because a wrong
// balance is worse than a stopped trading loop, and the session supervisor
// recovers panics and restarts the loop. Callers that prefer an error defer
// RecoverOverflow.
package money

import "math"

// Scale is the number of fractional decimal digits a Decimal holds.
const Scale = 8

// unit is the number of units in 1: 10^Scale.
const unit = 100_000_000

// pow10[i] is 10^i, for the place arithmetic of Truncate and StringFixed.
var pow10 = [...]int64{1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, unit}

// Decimal is an exact decimal number with Scale fractional digits: the
// integer units times 10^-Scale. Its range is about ±92,233,720,368.5. The
// zero value is 0, and Decimals compare equal with == exactly when they are
// the same number.
type Decimal struct {
	units int64
}

// FromInt returns n. It panics with ErrOverflow if n does not fit, that is if
// |n| exceeds about 9.2e10.
func FromInt(n int64) Decimal {
	if n > math.MaxInt64/unit || n < math.MinInt64/unit {
		panicOverflow("FromInt(%d)", n)
	}
	return Decimal{n * unit}
}

// FromUnits returns u × 10^-Scale: FromUnits(1) is 0.00000001.
func FromUnits(u int64) Decimal { return Decimal{u} }

// Units returns d in units of 10^-Scale, the inverse of FromUnits.
func (d Decimal) Units() int64 { return d.units }

// Sign returns -1, 0 or +1 as d is negative, zero or positive.
func (d Decimal) Sign() int {
	switch {
	case d.units < 0:
		return -1
	case d.units > 0:
		return 1
	}
	return 0
}

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than o.
func (d Decimal) Cmp(o Decimal) int {
	switch {
	case d.units < o.units:
		return -1
	case d.units > o.units:
		return 1
	}
	return 0
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.units == 0 }

// IsNegative reports whether d < 0.
func (d Decimal) IsNegative() bool { return d.units < 0 }

// IsPositive reports whether d > 0.
func (d Decimal) IsPositive() bool { return d.units > 0 }

// Min returns the lesser of a and b.
func Min(a, b Decimal) Decimal {
	if a.units < b.units {
		return a
	}
	return b
}

// Max returns the greater of a and b.
func Max(a, b Decimal) Decimal {
	if a.units > b.units {
		return a
	}
	return b
}
