package client

import (
	"fmt"
	"os"
	"path/filepath"
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

// DefaultTokenFile is the file tradingd writes its bearer token to: <data dir>/token.
func DefaultTokenFile() (string, error) {
	dir, err := DefaultDataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "token"), nil
}
