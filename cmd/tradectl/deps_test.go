package main

import (
	"os/exec"
	"strings"
	"testing"
)

// tradectl is a client and an offline backtester: it reads settings
// through internal/settings, never through the daemon's packages (anything
// under server/, wherever they move there), which would link the store and
// SQLite into it (25.6 MB against 19.5 MB).
func TestLinksNoDaemon(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"sqlite", "/server/"} {
			if strings.Contains(dep, f) {
				t.Errorf("tradectl links %s", dep)
			}
		}
	}
}
