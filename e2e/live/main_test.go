// Package live runs the real tradingd, tradectl and venue-emulator
// binaries together: live sessions on the rehearsal venue, checked against
// the venue's own record. It is its own package so that `make test` runs
// it in parallel with the other end-to-end packages.
package live

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/tradectl/tradectl/e2e/harness"
	"go.uber.org/goleak"
)

var bins string

func TestMain(m *testing.M) {
	code := harness.RunWithBinaries(m, &bins, "-race")
	// The ledger reads keep connections to the venue idle in the pool.
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
