package money

import (
	"fmt"
	"math"

	"github.com/tradectl/tradectl/internal/echo"
)

// Parse reads a decimal written as an optional sign, one or more digits, and
// optionally a point followed by one to Scale digits: "60000", "-12.5",
// "+3", "0.00000001". It rejects everything else with an error saying why:
// the empty string, spaces, exponents, a bare or trailing point, more than
// Scale decimals (Parse never rounds: a value it cannot hold exactly is a
// mistake upstream), and values out of range.
func Parse(s string) (Decimal, error) {
	if s == "" {
		return Decimal{}, parseError(s, "empty string")
	}
	i, neg := 0, false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	// limit is the largest magnitude of the sign read: |MinInt64| is one
	// more than MaxInt64.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var whole uint64
	start := i
	for ; i < len(s) && isDigit(s[i]); i++ {
		whole = whole*10 + uint64(s[i]-'0')
		if whole > limit/unit { // cannot overflow uint64: limit/unit < 10^11
			return Decimal{}, rangeError(s)
		}
	}
	if i == start {
		return Decimal{}, parseError(s, expected("a digit", s, i))
	}
	var frac uint64
	if i < len(s) && s[i] == '.' {
		i++
		start = i
		for ; i < len(s) && isDigit(s[i]); i++ {
			if i-start == Scale {
				return Decimal{}, parseError(s, fmt.Sprintf("more than %d decimal places; amounts are never rounded on input", Scale))
			}
			frac = frac*10 + uint64(s[i]-'0')
		}
		if i == start {
			return Decimal{}, parseError(s, expected("a digit after the decimal point", s, i))
		}
		frac *= uint64(pow10[Scale-(i-start)])
	}
	if i < len(s) {
		return Decimal{}, parseError(s, fmt.Sprintf("unexpected %q at offset %d", s[i], i))
	}
	mag := whole*unit + frac
	if mag > limit {
		return Decimal{}, rangeError(s)
	}
	u, _ := signed(mag, neg)
	return Decimal{u}, nil
}

// MustParse is Parse for constants and tests: it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (d *Decimal) UnmarshalText(text []byte) error {
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func expected(what, s string, i int) string {
	if i == len(s) {
		return "expected " + what + " at end of input"
	}
	return fmt.Sprintf("expected %s at offset %d, found %q", what, i, s[i])
}

func parseError(s, reason string) error {
	return fmt.Errorf("money: invalid decimal %s: %s", echo.Quote(s), reason)
}

func rangeError(s string) error {
	return fmt.Errorf("money: invalid decimal %s: out of range [%s, %s]",
		echo.Quote(s), Decimal{math.MinInt64}, Decimal{math.MaxInt64})
}
