// Package endpoint holds what tradingd and its clients must agree on
// without either configuring the other: the default address, the default
// data directory (where the token lives), and which addresses count as
// loopback, the line between plaintext allowed and TLS required.
//
// It is a leaf: it imports only the standard library, so that the daemon
// and the client package share it without depending on each other. It must
// never hold anything only one side uses, nor open connections or files.
package endpoint

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// DefaultAddr is where tradingd listens unless told otherwise. Loopback only:
// the control API is not meant to be exposed until it has TLS.
const DefaultAddr = "127.0.0.1:7443"

// DefaultDataDir is tradingd's state directory: $XDG_STATE_HOME/tradectl, else
// ~/.local/state/tradectl. The daemon and the CLI both call it, so they agree
// on where the token lives without either configuring the other.
func DefaultDataDir() (string, error) {
	// The XDG spec says relative values are invalid and must be ignored.
	if dir := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(dir) {
		return filepath.Join(dir, "tradectl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locate data dir: %w", err)
	}
	return filepath.Join(home, ".local", "state", "tradectl"), nil
}

// IsLoopback reports whether a gRPC target or listen address can only reach
// this machine: a unix socket, or a host of localhost, 127.0.0.0/8 or ::1,
// with or without a dns:/// or passthrough:/// scheme. Anything else, a
// name included, may resolve anywhere, and an empty host is every
// interface. tradingd asks it of --listen, the client of its address, so
// that both draw the line in one place.
func IsLoopback(target string) bool {
	if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") || strings.HasPrefix(target, "/") {
		return true
	}
	for _, scheme := range []string{"dns:", "passthrough:"} {
		if rest, ok := strings.CutPrefix(target, scheme); ok {
			// dns:///host:port, dns://resolver/host:port, dns:host:port
			if after, ok := strings.CutPrefix(rest, "//"); ok {
				_, rest, _ = strings.Cut(after, "/")
			}
			target = rest
			break
		}
	}
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		host = strings.Trim(target, "[]") // no port: gRPC adds the default
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
