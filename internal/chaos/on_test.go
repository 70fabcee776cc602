//go:build chaos

package chaos

import "testing"

func TestParse(t *testing.T) {
	fs, err := Parse("strategy:panic@5,tick:block@2/3s,monitor:panic@1+")
	if err != nil || len(fs) != 3 || !fs[2].repeat || fs[1].block.String() != "3s" {
		t.Fatalf("%+v %v", fs, err)
	}
	for _, bad := range []string{"x", "strategy:panic", "nope:panic@1", "tick:block@1", "strategy:explode@1", "strategy:panic@0"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
