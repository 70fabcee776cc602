package errorid

import (
	"regexp"
	"testing"
)

// Clients and operators match ids between a reason and the log by eye and
// by grep: the form is part of the contract.
func TestNewIsTwelveHexDigitsAndFresh(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := New()
		if !form.MatchString(id) {
			t.Fatalf("id %q: want 12 lowercase hex digits", id)
		}
		if seen[id] {
			t.Fatalf("id %q repeated", id)
		}
		seen[id] = true
	}
}
