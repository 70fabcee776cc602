package main

import "errors"

// sessionID is the value of a --session flag: empty when the flag is left
// out, never when it is given. An empty id given (an unset shell variable,
// say) would read as the flag left out, and so show the current session's
// orders, or resume the newest interrupted session, not the one meant.
type sessionID string

func (s *sessionID) String() string { return string(*s) }
func (s *sessionID) Type() string   { return "string" }

func (s *sessionID) Set(v string) error {
	if v == "" {
		return errors.New("empty: give a session id ('tradectl sessions' lists them), or leave the flag out")
	}
	*s = sessionID(v)
	return nil
}
