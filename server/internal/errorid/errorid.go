// Package errorid makes the ids that tie what a client is told of a
// failure (one line: a panic, an internal error, a check that crashed) to
// the details the daemon logs under the same id. Every part of the daemon
// takes its ids here, so that they all look alike in a reason and in the
// log, and a client quoting one finds one log entry.
//
// It owns the id's form and nothing else: it must never log, keep ids, or
// carry anything of the failure in the id itself.
package errorid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a fresh id: 12 hex digits, random, so that ids from different
// daemons and restarts do not collide in practice and reveal nothing.
func New() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
