package money

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

// anyDecimal draws from the whole range, biased by rapid toward small values
// and the edges.
func anyDecimal() *rapid.Generator[Decimal] {
	return rapid.Custom(func(t *rapid.T) Decimal {
		return FromUnits(rapid.OneOf(
			rapid.Int64(),
			rapid.Int64Range(-1e13, 1e13),
			rapid.SampledFrom([]int64{0, 1, -1, 50_000_000, -50_000_000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}),
		).Draw(t, "units"))
	})
}

// refMulDiv is mulDiv done with math/big: the oracle for Mul, Quo, MulBps
// and MulQuo.
func refMulDiv(a, b, c int64, round bool) (int64, bool) {
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	den := big.NewInt(c)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // truncated toward zero
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	if round && twice.Cmp(new(big.Int).Abs(den)) >= 0 {
		q.Add(q, big.NewInt(int64(num.Sign()*den.Sign())))
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// tryDo runs f and reports whether it panicked with overflow.
func tryDo(f func() Decimal) (d Decimal, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return f(), true
}

func TestPropRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := anyDecimal().Draw(t, "d")
		s := d.String()
		got, err := Parse(s)
		if err != nil || got != d {
			t.Fatalf("Parse(%q) = %v, %v; want %d units", s, got, err, d.Units())
		}
		text, _ := d.MarshalText()
		var u Decimal
		if err := u.UnmarshalText(text); err != nil || u != d {
			t.Fatalf("text round trip of %s gave %s, %v", d, u, err)
		}
		// StringFixed at full scale is exact, so it round-trips too.
		if got := MustParse(d.StringFixed(Scale)); got != d {
			t.Fatalf("StringFixed(8) of %s read back as %s", d, got)
		}
	})
}

func TestPropMulMatchesBig(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := anyDecimal().Draw(t, "a"), anyDecimal().Draw(t, "b")
		want, wantOK := refMulDiv(a.units, b.units, unit, true)
		got, ok := tryDo(func() Decimal { return a.Mul(b) })
		if ok != wantOK || (ok && got.units != want) {
			t.Fatalf("%s * %s = %s (ok %v), want %d units (ok %v)", a, b, got, ok, want, wantOK)
		}
		// Commutative, including whether it overflows.
		got2, ok2 := tryDo(func() Decimal { return b.Mul(a) })
		if ok2 != ok || got2 != got {
			t.Fatalf("%s * %s != %s * %s", a, b, b, a)
		}
		// Sign rules: the sign of a product is the product of the signs,
		// unless it rounds to zero.
		if ok && !got.IsZero() && got.Sign() != a.Sign()*b.Sign() {
			t.Fatalf("sign of %s * %s = %s", a, b, got)
		}
	})
}

func TestPropMulIdentityAndZero(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := anyDecimal().Draw(t, "a")
		if a.Mul(FromInt(1)) != a || FromInt(1).Mul(a) != a || a.MulInt(1) != a {
			t.Fatalf("%s * 1 != %s", a, a)
		}
		if !a.Mul(Decimal{}).IsZero() || !a.MulInt(0).IsZero() || !a.MulBps(0).IsZero() {
			t.Fatalf("%s * 0 != 0", a)
		}
		if a.MulBps(10_000) != a {
			t.Fatalf("%s * 10000 bps != itself", a)
		}
	})
}

func TestPropQuoMatchesBig(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := anyDecimal().Draw(t, "a"), anyDecimal().Draw(t, "b")
		if b.IsZero() {
			if _, err := a.Quo(b); err != ErrDivisionByZero {
				t.Fatalf("%s / 0: %v", a, err)
			}
			return
		}
		want, wantOK := refMulDiv(a.units, unit, b.units, true)
		got, err := a.Quo(b)
		if (err == nil) != wantOK || (err == nil && got.units != want) {
			t.Fatalf("%s / %s = %s, %v; want %d units (ok %v)", a, b, got, err, want, wantOK)
		}
		wantT, wantTOK := refMulDiv(a.units, unit, b.units, false)
		places := rapid.IntRange(0, Scale).Draw(t, "places")
		gotT, err := a.QuoTruncate(b, places)
		if (err == nil) != wantTOK {
			t.Fatalf("%s QuoTruncate %s: %v, want ok %v", a, b, err, wantTOK)
		}
		if err == nil && gotT != FromUnits(wantT).Truncate(places) {
			t.Fatalf("%s QuoTruncate(%s, %d) = %s", a, b, places, gotT)
		}
	})
}

func TestPropMulQuoAndBpsMatchBig(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, n, d := anyDecimal().Draw(t, "a"), anyDecimal().Draw(t, "num"), anyDecimal().Draw(t, "den")
		if !d.IsZero() {
			want, wantOK := refMulDiv(a.units, n.units, d.units, true)
			got, err := a.MulQuo(n, d)
			if (err == nil) != wantOK || (err == nil && got.units != want) {
				t.Fatalf("%s * %s / %s = %s, %v; want %d (ok %v)", a, n, d, got, err, want, wantOK)
			}
		}
		bps := rapid.Int64Range(-20_000, 20_000).Draw(t, "bps")
		want, wantOK := refMulDiv(a.units, bps, 10_000, true)
		got, ok := tryDo(func() Decimal { return a.MulBps(bps) })
		if ok != wantOK || (ok && got.units != want) {
			t.Fatalf("%s.MulBps(%d) = %s (ok %v), want %d (ok %v)", a, bps, got, ok, want, wantOK)
		}
		k := rapid.Int64().Draw(t, "k")
		want, wantOK = refMulDiv(a.units, k, 1, false)
		got, ok = tryDo(func() Decimal { return a.MulInt(k) })
		if ok != wantOK || (ok && got.units != want) {
			t.Fatalf("%s.MulInt(%d) = %s (ok %v), want %d (ok %v)", a, k, got, ok, want, wantOK)
		}
	})
}

func TestPropAddSub(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := anyDecimal().Draw(t, "a"), anyDecimal().Draw(t, "b")
		exact := new(big.Int).Add(big.NewInt(a.units), big.NewInt(b.units))
		sum, ok := tryDo(func() Decimal { return a.Add(b) })
		if ok != exact.IsInt64() || (ok && sum.units != exact.Int64()) {
			t.Fatalf("%s + %s = %s (ok %v), exact %s", a, b, sum, ok, exact)
		}
		if ok {
			if sum.Sub(b) != a || sum.Sub(a) != b || b.Add(a) != sum {
				t.Fatalf("a+b-b != a for %s, %s", a, b)
			}
		}
		exact.Sub(big.NewInt(a.units), big.NewInt(b.units))
		diff, ok := tryDo(func() Decimal { return a.Sub(b) })
		if ok != exact.IsInt64() || (ok && diff.units != exact.Int64()) {
			t.Fatalf("%s - %s = %s (ok %v), exact %s", a, b, diff, ok, exact)
		}
		if a.units != math.MinInt64 {
			if a.Neg().Neg() != a || a.Add(a.Neg()) != (Decimal{}) || a.Abs().IsNegative() {
				t.Fatalf("negation rules fail for %s", a)
			}
		}
		if a.Cmp(b) != -b.Cmp(a) || (a.Cmp(b) == 0) != (a == b) {
			t.Fatalf("Cmp not antisymmetric for %s, %s", a, b)
		}
	})
}

func TestPropHalfTruncate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := anyDecimal().Draw(t, "a")
		want, _ := refMulDiv(a.units, 1, 2, true)
		if a.Half().units != want {
			t.Fatalf("Half(%s) = %s, want %d", a, a.Half(), want)
		}
		places := rapid.IntRange(0, Scale).Draw(t, "places")
		tr := a.Truncate(places)
		p := pow10[Scale-places]
		// A multiple of the place, toward zero from a, and less than one
		// place away.
		if tr.units%p != 0 || abs64(tr.units) > abs64(a.units) || tr.Sign()*a.Sign() < 0 ||
			abs64(a.units)-abs64(tr.units) >= uint64(p) {
			t.Fatalf("Truncate(%s, %d) = %s", a, places, tr)
		}
		// StringFixed rounds like Mul does: compare with the big oracle.
		q, _ := refMulDiv(a.units, 1, p, true)
		wantFixed := new(big.Rat).SetFrac(big.NewInt(q), big.NewInt(pow10[places])).FloatString(places)
		if wantFixed[0] == '-' && q == 0 {
			wantFixed = wantFixed[1:]
		}
		if got := a.StringFixed(places); got != wantFixed {
			t.Fatalf("StringFixed(%s, %d) = %s, want %s", a, places, got, wantFixed)
		}
	})
}
