package binance

import (
	"strings"
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
)

// The sender's never-sent verdict already reads "never sent: ...": the
// order's reason says so once, not "never sent: never sent: ..." (seen in
// the daemon's health against the rehearsal venue).
func TestVenueNeverSentSaysSoOnce(t *testing.T) {
	r := newVRig(t, nil)
	r.submit("o1", vLimit(vBTC, venue.Buy, "1", "100"))
	never := vStatus(vBTC, "o1", StatusNeverSent, "0")
	never.Reason = "never sent: the venue does not know the order (-2013 Order does not exist.)"
	wantStates(t, r.feed(never), sRejected)
	if got := r.order("o1").Reason; got != never.Reason || strings.Count(got, "never sent") != 1 {
		t.Fatalf("reason %q, want %q", got, never.Reason)
	}
}
