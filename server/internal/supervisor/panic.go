package supervisor

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/tradectl/tradectl/server/internal/errorid"
)

// PanicError is a recovered panic with its stack. Its message is one line
// quoting ID, and is what clients see (reasons, last error); the stack and
// the whole value go to the log under the same ID.
type PanicError struct {
	Value any
	Stack []byte
	ID    string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %s (error id %s)", firstLine(fmt.Sprint(e.Value)), e.ID)
}

// Unwrap exposes an error the code panicked with, so that Permanent can
// recognise it.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// runRecovered turns a panic in serve into an error, so one bad child
// cannot take the process down.
func runRecovered(ctx context.Context, serve func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack(), ID: errorid.New()}
		}
	}()
	return serve(ctx)
}

// firstLine keeps messages to one line: stacks belong in the log.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
