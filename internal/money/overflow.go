package money

import (
	"errors"
	"fmt"
)

// ErrOverflow is wrapped by the error that arithmetic panics with when its
// result does not fit in a Decimal, and by the errors of Quo and friends
// when theirs does not.
var ErrOverflow = errors.New("money: overflow")

// ErrDivisionByZero is returned by the quotient operations for a zero divisor.
var ErrDivisionByZero = errors.New("money: division by zero")

// panicOverflow is kept out of line so the arithmetic fast paths stay small;
// formatting the operands only happens on the way to a crash.
// The format describes the operation, e.g. "%s * %s".
func panicOverflow(format string, args ...any) {
	panic(overflowError(format, args...))
}

func overflowError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrOverflow}, args...)...)
}

// RecoverOverflow turns an overflow panic into an error. Defer it, with the
// address of the function's named error result, in a function that must
// report overflow rather than crash and whose state is only changed after
// all arithmetic has succeeded:
//
//	func (p *P) Apply(...) (err error) {
//		defer money.RecoverOverflow(&err)
//		...
//	}
//
// Any other panic is re-raised unchanged.
func RecoverOverflow(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if e, ok := r.(error); ok && errors.Is(e, ErrOverflow) {
		*err = e
		return
	}
	panic(r)
}
