package money

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// mustPanicOverflow runs f and fails unless it panics with an error that
// wraps ErrOverflow and whose message starts "money: overflow".
func mustPanicOverflow(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, ErrOverflow) || !strings.HasPrefix(err.Error(), "money: overflow") {
			t.Errorf("%s: recovered %#v, want an overflow error", name, r)
		}
	}()
	f()
}

var (
	maxDec = FromUnits(math.MaxInt64)
	minDec = FromUnits(math.MinInt64)
	one    = FromInt(1)
	tiny   = FromUnits(1)
)

func TestOverflowPanics(t *testing.T) {
	mustPanicOverflow(t, "max+tiny", func() { maxDec.Add(tiny) })
	mustPanicOverflow(t, "min-tiny", func() { minDec.Sub(tiny) })
	mustPanicOverflow(t, "min+(-tiny)", func() { minDec.Add(tiny.Neg()) })
	mustPanicOverflow(t, "max-(-tiny)", func() { maxDec.Sub(tiny.Neg()) })
	mustPanicOverflow(t, "0-min", func() { Decimal{}.Sub(minDec) })
	mustPanicOverflow(t, "-min", func() { minDec.Neg() })
	mustPanicOverflow(t, "|min|", func() { minDec.Abs() })
	mustPanicOverflow(t, "max*2", func() { maxDec.Mul(FromInt(2)) })
	mustPanicOverflow(t, "min*-1", func() { minDec.Mul(one.Neg()) })
	mustPanicOverflow(t, "1e6*1e6", func() { FromInt(1e6).Mul(FromInt(1e6)) })
	mustPanicOverflow(t, "max.MulInt(2)", func() { maxDec.MulInt(2) })
	mustPanicOverflow(t, "min.MulInt(-1)", func() { minDec.MulInt(-1) })
	mustPanicOverflow(t, "max.MulBps(10001)", func() { maxDec.MulBps(10_001) })
	mustPanicOverflow(t, "FromInt(1e11)", func() { FromInt(100_000_000_000) })
	mustPanicOverflow(t, "FromInt(-1e11)", func() { FromInt(-100_000_000_000) })

	// The edges themselves are fine.
	if got := maxDec.Sub(maxDec).Add(minDec); got != minDec {
		t.Errorf("max-max+min = %s", got)
	}
	if got := minDec.Mul(one); got != minDec {
		t.Errorf("min*1 = %s", got)
	}
	if got := maxDec.Neg().Sub(tiny); got != minDec {
		t.Errorf("-max-tiny = %s", got)
	}
	if got := FromInt(92_233_720_368); got.String() != "92233720368" {
		t.Errorf("FromInt(max whole) = %s", got)
	}
}

func TestMulRounding(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"2", "3", "6"},
		{"1.5", "1.5", "2.25"},
		{"-1.5", "1.5", "-2.25"},
		{"0.00000001", "0.5", "0.00000001"},   // half way: away from zero
		{"-0.00000001", "0.5", "-0.00000001"}, // negative half way: away from zero
		{"0.00000001", "-0.5", "-0.00000001"}, // sign on the other operand
		{"-0.00000001", "-0.5", "0.00000001"}, // two negatives
		{"0.00000001", "0.49999999", "0"},     // just under half
		{"-0.00000001", "0.49999999", "0"},    // no negative zero
		{"0.00000003", "0.5", "0.00000002"},   // 1.5 units -> 2
		{"0.00000001", "0.50000001", "0.00000001"},
		{"0.12345678", "0.00000001", "0"},
		{"60000.01", "0.01666666", "999.99976667"}, // 999.9997666666 rounds up
		{"3000", "0.3333", "999.9"},
		{"92233720368.54775807", "1", "92233720368.54775807"},
		{"-92233720368.54775808", "1", "-92233720368.54775808"},
		{"46116860184.27387904", "-2", "-92233720368.54775808"}, // 2^63 units fits only negated
	}
	for _, tt := range tests {
		if got := MustParse(tt.a).Mul(MustParse(tt.b)); got.String() != tt.want {
			t.Errorf("%s * %s = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMulEdgeOfRange(t *testing.T) {
	// 2^62 units times 2 is 2^63 units: the most negative value fits, its
	// positive twin is one past the top.
	half := FromUnits(1 << 62)
	mustPanicOverflow(t, "2^62*2", func() { half.Mul(FromInt(2)) })
	if got := half.Mul(FromInt(-2)); got != minDec {
		t.Errorf("2^62*-2 = %s, want min", got)
	}
	// A product that rounds up past the top overflows too.
	mustPanicOverflow(t, "max*1.00000001", func() { maxDec.Mul(MustParse("1.00000001")) })
}

func TestQuo(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"1", "3", "0.33333333"},
		{"2", "3", "0.66666667"},
		{"-2", "3", "-0.66666667"},
		{"2", "-3", "-0.66666667"},
		{"-2", "-3", "0.66666667"},
		{"0.00000001", "2", "0.00000001"},   // half way: away from zero
		{"-0.00000001", "2", "-0.00000001"}, // negative half way
		{"0.00000001", "3", "0"},
		{"1000", "60000.01", "0.01666666"},
		{"92233720368.54775807", "1", "92233720368.54775807"},
		{"-92233720368.54775808", "1", "-92233720368.54775808"},
		{"0", "-7", "0"},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.a).Quo(MustParse(tt.b))
		if err != nil || got.String() != tt.want {
			t.Errorf("%s / %s = %s, %v; want %s", tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := one.Quo(Decimal{}); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("1/0 error = %v", err)
	}
	if _, err := maxDec.Quo(MustParse("0.5")); !errors.Is(err, ErrOverflow) {
		t.Errorf("max/0.5 error = %v", err)
	}
	if _, err := minDec.Quo(one.Neg()); !errors.Is(err, ErrOverflow) {
		t.Errorf("min/-1 error = %v", err)
	}
}

func TestMulQuo(t *testing.T) {
	// A third of a cost basis, rounded once.
	got, err := MustParse("100").MulQuo(FromInt(1), FromInt(3))
	if err != nil || got.String() != "33.33333333" {
		t.Errorf("100*1/3 = %s, %v", got, err)
	}
	// The intermediate product (about 8.5e36 in units squared) exceeds 64
	// bits, yet the result fits.
	got, err = maxDec.MulQuo(maxDec, maxDec)
	if err != nil || got != maxDec {
		t.Errorf("max*max/max = %s, %v", got, err)
	}
	got, err = MustParse("-0.00000001").MulQuo(FromInt(1), FromInt(2))
	if err != nil || got.String() != "-0.00000001" {
		t.Errorf("-tiny*1/2 = %s, %v", got, err)
	}
	if _, err := one.MulQuo(one, Decimal{}); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("den 0 error = %v", err)
	}
	if _, err := maxDec.MulQuo(FromInt(2), one); !errors.Is(err, ErrOverflow) {
		t.Errorf("max*2/1 error = %v", err)
	}
}

func TestQuoTruncate(t *testing.T) {
	tests := []struct {
		a, b   string
		places int
		want   string
	}{
		{"1000", "60000.01", 4, "0.0166"},
		{"1000", "3000", 4, "0.3333"},
		{"2", "3", 8, "0.66666666"}, // Quo would round this up
		{"-2", "3", 8, "-0.66666666"},
		{"1", "3", 0, "0"},
		{"7", "2", 0, "3"},
		{"-7", "2", 0, "-3"},
		// 0.00029999999999... truncates to 0.0002 even though rounding to 8
		// decimals first would give 0.0003.
		{"0.99999999", "3333.33333334", 4, "0.0002"},
	}
	for _, tt := range tests {
		got, err := MustParse(tt.a).QuoTruncate(MustParse(tt.b), tt.places)
		if err != nil || got.String() != tt.want {
			t.Errorf("%s / %s truncated to %d = %s, %v; want %s", tt.a, tt.b, tt.places, got, err, tt.want)
		}
	}
	if _, err := one.QuoTruncate(Decimal{}, 2); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("1/0 error = %v", err)
	}
	if _, err := maxDec.QuoTruncate(MustParse("0.1"), 2); !errors.Is(err, ErrOverflow) {
		t.Errorf("max/0.1 error = %v", err)
	}
}

func TestMulBps(t *testing.T) {
	tests := []struct {
		d    string
		bps  int64
		want string
	}{
		{"1000", 10, "1"},
		{"60000", 10, "60"},
		{"0.00005", 10, "0.00000005"},
		{"0.00000005", 10000, "0.00000005"},
		{"0.00005", 1, "0.00000001"},   // 0.5 unit: away from zero
		{"-0.00005", 1, "-0.00000001"}, // negative half way
		{"0.00004999", 1, "0"},
		{"123.45", 0, "0"},
		{"123.45", -10, "-0.12345"},
		{"92233720368.54775807", 10000, "92233720368.54775807"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.d).MulBps(tt.bps); got.String() != tt.want {
			t.Errorf("%s.MulBps(%d) = %s, want %s", tt.d, tt.bps, got, tt.want)
		}
	}
}

func TestMulInt(t *testing.T) {
	if got := MustParse("1.5").MulInt(-3); got.String() != "-4.5" {
		t.Errorf("1.5*-3 = %s", got)
	}
	if got := minDec.MulInt(1); got != minDec {
		t.Errorf("min*1 = %s", got)
	}
	if got := FromUnits(math.MinInt64 / 2).MulInt(2); got != minDec {
		t.Errorf("(min/2)*2 = %s", got)
	}
}

func TestHalf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"3", "1.5"},
		{"0.00000002", "0.00000001"},
		{"0.00000001", "0.00000001"},   // half a unit rounds away from zero
		{"-0.00000001", "-0.00000001"}, // on both sides
		{"0.00000003", "0.00000002"},
		{"-0.00000003", "-0.00000002"},
		{"92233720368.54775807", "46116860184.27387904"},
		{"-92233720368.54775808", "-46116860184.27387904"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.in).Half(); got.String() != tt.want {
			t.Errorf("Half(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in     string
		places int
		want   string
	}{
		{"1.23456789", 4, "1.2345"},
		{"-1.23456789", 4, "-1.2345"},
		{"1.99999999", 0, "1"},
		{"-1.99999999", 0, "-1"},
		{"1.23456789", 8, "1.23456789"},
		{"0.00009999", 4, "0"},
		{"-92233720368.54775808", 0, "-92233720368"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.in).Truncate(tt.places); got.String() != tt.want {
			t.Errorf("Truncate(%s, %d) = %s, want %s", tt.in, tt.places, got, tt.want)
		}
	}
	for _, places := range []int{-1, 9} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Truncate(%d) did not panic", places)
				}
			}()
			one.Truncate(places)
		}()
	}
}

func TestPredicates(t *testing.T) {
	neg, zero, pos := FromInt(-2), Decimal{}, MustParse("0.5")
	for _, tt := range []struct {
		d                 Decimal
		sign              int
		isNeg, isZ, isPos bool
		abs               Decimal
	}{
		{neg, -1, true, false, false, FromInt(2)},
		{zero, 0, false, true, false, zero},
		{pos, 1, false, false, true, pos},
	} {
		if tt.d.Sign() != tt.sign || tt.d.IsNegative() != tt.isNeg || tt.d.IsZero() != tt.isZ ||
			tt.d.IsPositive() != tt.isPos || tt.d.Abs() != tt.abs {
			t.Errorf("predicates of %s wrong", tt.d)
		}
	}
	if neg.Cmp(pos) != -1 || pos.Cmp(neg) != 1 || pos.Cmp(MustParse("0.50")) != 0 {
		t.Error("Cmp wrong")
	}
	if Min(neg, pos) != neg || Max(neg, pos) != pos || Min(pos, neg) != neg || Max(pos, neg) != pos {
		t.Error("Min/Max wrong")
	}
}

func TestRecoverOverflow(t *testing.T) {
	f := func() (err error) {
		defer RecoverOverflow(&err)
		maxDec.Add(tiny)
		return nil
	}
	if err := f(); !errors.Is(err, ErrOverflow) {
		t.Fatalf("err = %v", err)
	}
	g := func() (err error) {
		defer RecoverOverflow(&err)
		return nil
	}
	if err := g(); err != nil {
		t.Fatalf("no panic gave %v", err)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("other panic became %#v", r)
		}
	}()
	func() (err error) {
		defer RecoverOverflow(&err)
		panic("boom")
	}()
}

func TestFloorAndCeilToStep(t *testing.T) {
	for _, c := range []struct{ d, step, floor, ceil string }{
		{"1.23456", "0.01", "1.23", "1.24"},
		{"1.23", "0.01", "1.23", "1.23"},
		{"-1.231", "0.01", "-1.24", "-1.23"},
		{"7", "0", "7", "7"},
		{"7", "-1", "7", "7"},
	} {
		d, step := MustParse(c.d), MustParse(c.step)
		if got := d.FloorTo(step); got != MustParse(c.floor) {
			t.Errorf("%s floored to %s: %s, want %s", c.d, c.step, got, c.floor)
		}
		if got := d.CeilTo(step); got != MustParse(c.ceil) {
			t.Errorf("%s ceiled to %s: %s, want %s", c.d, c.step, got, c.ceil)
		}
	}
}
