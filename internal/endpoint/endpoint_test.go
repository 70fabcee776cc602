package endpoint

import (
	"path/filepath"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7443": true, "127.1.2.3:1": true, "[::1]:7443": true, "localhost:7443": true,
		"unix:///run/tradingd.sock": true, "dns:///localhost:7443": true, "passthrough:///127.0.0.1:1": true,
		"0.0.0.0:7443": false, ":7443": false, "[::]:7443": false, "10.0.0.5:7443": false,
		"example.com:7443": false, "garbage": false, "dns://8.8.8.8/example.com:7443": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
	if !IsLoopback(DefaultAddr) {
		t.Errorf("DefaultAddr %s is not loopback", DefaultAddr)
	}
}

// An absolute XDG_STATE_HOME is used; a relative one is ignored, as the
// XDG spec says.
func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	if d, err := DefaultDataDir(); err != nil || d != filepath.Join("/state", "tradectl") {
		t.Fatalf("DefaultDataDir = %q, %v", d, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	t.Setenv("HOME", "/home/op")
	if d, err := DefaultDataDir(); err != nil || d != "/home/op/.local/state/tradectl" {
		t.Fatalf("DefaultDataDir with a relative XDG_STATE_HOME = %q, %v", d, err)
	}
}
