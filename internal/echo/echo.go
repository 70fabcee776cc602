// Package echo quotes client input for error messages, capped: an error
// that repeats what the client sent must not grow with it. A megabyte
// parameter name would otherwise come back in the status, twice into the
// log, and into the audit table.
//
// It owns no state and decides nothing about the input it quotes; it must
// never quote more than Max bytes of it, nor cut a UTF-8 character in two.
package echo

import (
	"strconv"
	"unicode/utf8"
)

// Max is the most bytes of input an error quotes; a symbol, a file name or
// a parameter name fits, and the rest is summarised by its length.
const Max = 40

// Quote returns s Go-quoted (control characters and invalid UTF-8
// escaped, so nothing it holds can break a log line), cut to Max bytes at
// a rune boundary, with the length of what was left out.
func Quote(s string) string {
	if len(s) <= Max {
		return strconv.Quote(s)
	}
	cut := Max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// Name returns s as it is when it is short and needs no escaping (a field
// path like settings.params[step] stays readable), and Quote(s) otherwise.
func Name(s string) string {
	if q := strconv.Quote(s); len(s) <= Max && q[1:len(q)-1] == s {
		return s
	}
	return Quote(s)
}
