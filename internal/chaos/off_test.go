//go:build !chaos

package chaos

import "testing"

// The shipped build must not be able to inject anything, whatever the
// environment says.
func TestShippedBuildInjectsNothing(t *testing.T) {
	t.Setenv("TRADINGD_CHAOS", "strategy:panic@1+,tick:block@1+/1h")
	if Enabled {
		t.Fatal("chaos enabled without the build tag")
	}
	for range 3 {
		Hit(Strategy)
		Hit(Tick)
	}
}
