package settings_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The settings are shared by tradingd, the backtester and tradectl because
// they are a leaf: importing the session or the store here would link the
// daemon (and SQLite) into the CLI again, and the wire into the backtester.
func TestSettingsStayALeaf(t *testing.T) {
	for pkg, forbidden := range map[string][]string{
		".":            {"/server/", "/coordinator", "/proto/", "google.golang.org/protobuf", "sqlite"},
		"./settingspb": {"/server/", "/coordinator", "sqlite"},
	} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Skipf("go list: %v", err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s imports %s (through its dependencies); it must not import anything matching %q", pkg, dep, f)
				}
			}
		}
	}
}
