// Package supervisor runs a fixed set of named children, each a
// Serve(ctx) error, the way an Erlang/OTP supervisor does: it starts them in
// order, restarts a failed one after a jittered, growing backoff within a
// restart intensity (at most Intensity failures within Period, then it gives
// up and says so on Exits), and stops them in reverse order, each by a
// deadline, naming those that did not stop. A panic in a child becomes a
// *PanicError carrying the stack.
//
// The strategy is one_for_one, on purpose: a child's failure restarts that
// child alone. Its users run children that share no state but what one
// publishes for the other to read (a trading loop and the monitor watching
// it), so a crash of one says nothing about the other, and restarting the
// watcher with the loop (rest_for_one) would reset the very monitor that is
// reporting the crash. A user whose children do share state must not use
// this package as is.
//
// It owns the children's goroutines and their restart bookkeeping, and
// nothing else. It knows nothing of trading; it must never decide what a
// failure means beyond Config.Permanent, never block a caller on a child
// (Start launches and returns), and never leave a goroutine behind a Stop
// that returned with every child stopped.
package supervisor
