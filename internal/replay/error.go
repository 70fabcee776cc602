package replay

import "fmt"

// Error is a problem with the data, located in the file: every error about
// the content of a file is an *Error, so a caller can point at the line.
type Error struct {
	Line int // 1-based
	// Column is the 1-based column of the offending cell and Name its
	// header name, or 0 and "" when the problem is the whole line.
	Column int
	Name   string
	Reason string
}

func (e *Error) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("replay: line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("replay: line %d, column %d (%s): %s", e.Line, e.Column, e.Name, e.Reason)
}

// maxEcho bounds how much of a bad cell an error message repeats.
const maxEcho = 40

// echo quotes a cell for an error message, cut to maxEcho bytes.
func echo(cell []byte) string {
	return fmt.Sprintf("%.*q", maxEcho, cell)
}
