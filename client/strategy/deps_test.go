package strategy_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The SDK is public API: of this module it may use only the wire API, the
// client and the exact decimal it re-exports, so that a strategy links
// nothing of the engine or the daemon.
func TestImportsOnlyTheAPI(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, ".", "./strategytest").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	const module = "github.com/tradectl/tradectl/"
	allowed := []string{module + "proto/trading/v1", module + "client", module + "internal/money"}
	for _, imp := range strings.Fields(string(out)) {
		if strings.HasPrefix(imp, module) && !contains(allowed, imp) {
			t.Errorf("client/strategy imports %s", imp)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
