package money

import (
	"fmt"
	"math"
	"math/bits"
)

// Add returns d + o. It panics with ErrOverflow if the sum does not fit.
func (d Decimal) Add(o Decimal) Decimal {
	s := d.units + o.units
	// Two's-complement addition overflowed iff the operands share a sign
	// that the sum does not.
	if (s > d.units) != (o.units > 0) {
		panicOverflow("%s + %s", d, o)
	}
	return Decimal{s}
}

// Sub returns d - o. It panics with ErrOverflow if the difference does not fit.
func (d Decimal) Sub(o Decimal) Decimal {
	s := d.units - o.units
	if (s < d.units) != (o.units > 0) {
		panicOverflow("%s - %s", d, o)
	}
	return Decimal{s}
}

// Neg returns -d. It panics with ErrOverflow for the most negative Decimal,
// whose negation does not fit.
func (d Decimal) Neg() Decimal {
	if d.units == math.MinInt64 {
		panicOverflow("-(%s)", d)
	}
	return Decimal{-d.units}
}

// Abs returns |d|. It panics with ErrOverflow where Neg does.
func (d Decimal) Abs() Decimal {
	if d.units < 0 {
		return d.Neg()
	}
	return d
}

// Mul returns d × o rounded half away from zero to Scale decimals. The
// product is computed exactly in 128 bits before rounding, so only the final
// result must fit; it panics with ErrOverflow if that does not.
func (d Decimal) Mul(o Decimal) Decimal {
	u, ok := mulDiv(d.units, o.units, unit, true)
	if !ok {
		panicOverflow("%s * %s", d, o)
	}
	return Decimal{u}
}

// MulInt returns d × n, exactly. It panics with ErrOverflow if the product
// does not fit.
func (d Decimal) MulInt(n int64) Decimal {
	u, ok := mulDiv(d.units, n, 1, false)
	if !ok {
		panicOverflow("%s * %d", d, n)
	}
	return Decimal{u}
}

// MulBps returns d × bps / 10000 (bps basis points of d) rounded half away
// from zero to Scale decimals: the fee on a notional. It panics with
// ErrOverflow if the result does not fit.
func (d Decimal) MulBps(bps int64) Decimal {
	u, ok := mulDiv(d.units, bps, 10_000, true)
	if !ok {
		panicOverflow("%s * %d bps", d, bps)
	}
	return Decimal{u}
}

// Half returns d / 2 rounded half away from zero to Scale decimals, so that
// the mid of two prices one unit apart rounds the same way on either side of
// zero.
func (d Decimal) Half() Decimal {
	h := d.units / 2 // truncates toward zero
	switch {
	case d.units%2 == 0:
	case d.units > 0:
		h++
	default:
		h--
	}
	return Decimal{h}
}

// Quo returns d / o rounded half away from zero to Scale decimals, computed
// with an exact 128-bit intermediate. It returns ErrDivisionByZero if o is
// zero and an error wrapping ErrOverflow if the quotient does not fit.
func (d Decimal) Quo(o Decimal) (Decimal, error) {
	return d.MulQuo(Decimal{unit}, o)
}

// MulQuo returns d × num / den rounded half away from zero to Scale decimals,
// rounding once: the 128-bit product is divided exactly before rounding. It
// is for prorating, such as the share of a cost basis that a partial close
// releases, where Mul then Quo would round twice. It returns
// ErrDivisionByZero if den is zero and an error wrapping ErrOverflow if the
// result does not fit.
func (d Decimal) MulQuo(num, den Decimal) (Decimal, error) {
	if den.units == 0 {
		return Decimal{}, ErrDivisionByZero
	}
	u, ok := mulDiv(d.units, num.units, den.units, true)
	if !ok {
		return Decimal{}, overflowError("%s * %s / %s", d, num, den)
	}
	return Decimal{u}, nil
}

// QuoTruncate returns d / o truncated toward zero to places decimals
// (0 ≤ places ≤ Scale), from the exact quotient: it never rounds up, so a
// quantity bought for a notional never costs more than the notional. It
// returns ErrDivisionByZero if o is zero and an error wrapping ErrOverflow if
// the quotient does not fit. It panics if places is out of range.
func (d Decimal) QuoTruncate(o Decimal, places int) (Decimal, error) {
	checkPlaces(places)
	if o.units == 0 {
		return Decimal{}, ErrDivisionByZero
	}
	u, ok := mulDiv(d.units, unit, o.units, false)
	if !ok {
		return Decimal{}, overflowError("%s / %s", d, o)
	}
	return Decimal{u}.Truncate(places), nil
}

// Truncate returns d cut toward zero to places decimals (0 ≤ places ≤
// Scale): rounding a quantity down to a lot size. It panics if places is out
// of range, which is a programming error.
func (d Decimal) Truncate(places int) Decimal {
	checkPlaces(places)
	p := pow10[Scale-places]
	return Decimal{d.units - d.units%p}
}

func checkPlaces(places int) {
	if places < 0 || places > Scale {
		panic(fmt.Sprintf("money: %d decimal places out of range [0, %d]", places, Scale))
	}
}

// mulDiv returns a × b / c, rounded half away from zero if round is set and
// truncated toward zero otherwise, and whether the result fits in an int64.
// The product is exact in 128 bits, so it overflows only when the result
// does. c must not be zero.
func mulDiv(a, b, c int64, round bool) (int64, bool) {
	neg := (a < 0) != (b < 0) != (c < 0)
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	den := abs64(c)
	if hi >= den { // the quotient needs more than 64 bits
		return 0, false
	}
	q, r := bits.Div64(hi, lo, den)
	// r ≥ den/2 exactly, written so that nothing overflows.
	if round && r >= den-r {
		q++
		if q == 0 { // wrapped around
			return 0, false
		}
	}
	return signed(q, neg)
}

// abs64 returns |x| as a uint64, which holds |math.MinInt64| too.
func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

// signed applies a sign to a magnitude and reports whether it fits.
func signed(mag uint64, neg bool) (int64, bool) {
	if neg {
		if mag > 1<<63 {
			return 0, false
		}
		return int64(-mag), true
	}
	if mag > math.MaxInt64 {
		return 0, false
	}
	return int64(mag), true
}

// FloorTo moves d to a multiple of step toward minus infinity (a price to
// its tick, a quantity to its lot); a non-positive step leaves d as it is.
func (d Decimal) FloorTo(step Decimal) Decimal {
	if !step.IsPositive() {
		return d
	}
	r := d.units % step.units
	if r < 0 {
		r += step.units
	}
	return Decimal{units: d.units - r}
}

// CeilTo moves d to a multiple of step toward plus infinity; a
// non-positive step leaves d as it is.
func (d Decimal) CeilTo(step Decimal) Decimal {
	down := d.FloorTo(step)
	if down == d {
		return d
	}
	return down.Add(step)
}
