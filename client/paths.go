package client

import (
	"path/filepath"

	"github.com/tradectl/tradectl/internal/endpoint"
)

// DefaultAddr is where tradingd listens unless told otherwise. Loopback only:
// the control API is not meant to be exposed until it has TLS.
const DefaultAddr = endpoint.DefaultAddr

// DefaultDataDir is tradingd's state directory: $XDG_STATE_HOME/tradectl, else
// ~/.local/state/tradectl. The daemon and the CLI agree on it (both ask
// internal/endpoint), so they find the token without either configuring the
// other.
func DefaultDataDir() (string, error) { return endpoint.DefaultDataDir() }

// DefaultTokenFile is the file tradingd writes its bearer token to: <data dir>/token.
func DefaultTokenFile() (string, error) {
	dir, err := DefaultDataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "token"), nil
}
