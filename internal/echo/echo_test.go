package echo

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuoteCaps(t *testing.T) {
	long := strings.Repeat("é", 1<<20) // 2 MiB, two bytes a rune
	got := Quote(long)
	if len(got) > 3*Max {
		t.Fatalf("Quote of %d bytes is %d bytes long", len(long), len(got))
	}
	if !strings.Contains(got, "(2097152 bytes)") || !utf8.ValidString(got) {
		t.Fatalf("Quote = %s: want valid UTF-8 naming the length", got)
	}
	if got := Quote("a\nb\xff"); got != `"a\nb\xff"` {
		t.Fatalf("Quote escapes nothing: %s", got)
	}
}
