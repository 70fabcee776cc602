// Package livefaults runs live sessions of the real tradingd against the
// real rehearsal venue (cmd/venue-emulator), injects one fault at a time
// over POST /emulator/faults, and checks what a user sees: the health
// component that names the cause turns DEGRADED or UNHEALTHY and recovers
// when the fault ends, and the venue's ledger agrees with our store: no
// client order id submitted twice, every trade of the venue booked once
// as a fill with its trade id, none more.
//
// Each test has its own venue and daemon and runs in parallel with the
// others; the silence windows are the adapter's defaults (2 s), so the
// package takes well under a minute and a half.
package livefaults

import (
	"flag"
	"os"
	"testing"

	"github.com/tradectl/tradectl/e2e/harness"
)

var bins string

func TestMain(m *testing.M) {
	// The tests mostly wait (on silence windows, timeouts, Retry-After),
	// each on its own venue and daemon: run them all at once unless
	// -parallel says otherwise (its default is the number of CPUs).
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", "16")
	}
	os.Exit(harness.RunWithBinaries(m, &bins, "-race")) // tradingd, tradectl, venue-emulator
}
