package money

import (
	"math/big"
	"strings"
	"testing"
)

// FuzzParse checks that whatever Parse accepts it holds exactly (it equals
// the input read as a rational) and that String gives back a canonical
// spelling of the same number.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "+3", "-12.5", "0.00000001", "60000", "1.", ".5", "1e3",
		"92233720368.54775807", "-92233720368.54775808", "92233720368.54775808",
		"0.000000001", " 1", "1 ", "--1", "007.10", "1.2.3", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "money: invalid decimal") {
				t.Fatalf("Parse(%q) error %q lacks the package prefix", s, err)
			}
			return
		}
		out := d.String()
		back, err := Parse(out)
		if err != nil || back != d {
			t.Fatalf("Parse(%q) = %s, which reads back as %v, %v", s, out, back, err)
		}
		in, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
		if !ok {
			t.Fatalf("Parse accepted %q, which is not a number", s)
		}
		if want := new(big.Rat).SetFrac64(d.Units(), unit); in.Cmp(want) != 0 {
			t.Fatalf("Parse(%q) = %s, a different number", s, out)
		}
	})
}
