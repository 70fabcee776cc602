package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testAPIKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
	testSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
)

func writeKeys(t *testing.T, mode os.FileMode, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

func venueArgs(t *testing.T, extra ...string) []string {
	return append([]string{"--data-dir", t.TempDir(), "--metrics-listen", ""}, extra...)
}

func TestVenueKeysFromAFile(t *testing.T) {
	t.Setenv(envAPIKey, "")
	os.Unsetenv(envAPIKey)
	t.Setenv(envSecret, "")
	os.Unsetenv(envSecret)
	good := fmt.Sprintf("# testnet keys\napi_key=%s\n\nsecret = %s\n", testAPIKey, testSecret)
	c, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", writeKeys(t, 0o600, good)))
	if err != nil {
		t.Fatal(err)
	}
	if c.venue == nil || c.venue.Env != "testnet" || c.venue.Quote != "USDT" || c.venue.Keys.APIKey.IsZero() || c.venue.Keys.Secret.IsZero() {
		t.Fatalf("venue = %+v", c.venue)
	}
	if s := fmt.Sprintf("%v %+v %#v", c.venue, c.venue, c.venue.Keys); strings.Contains(s, testAPIKey) || strings.Contains(s, testSecret) {
		t.Fatalf("the configuration prints a key: %s", s)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		_, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", writeKeys(t, mode, good)))
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("keys file of mode %04o: %v, want refused", mode, err)
		}
	}
	if _, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", writeKeys(t, 0o400, good))); err != nil {
		t.Errorf("a keys file only its owner may read: %v", err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(writeKeys(t, 0o600, good), link); err != nil {
		t.Fatal(err)
	}
	if _, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", link)); err == nil ||
		!strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("a keys file behind a symbolic link: %v, want refused", err)
	}
	// Malformed files are refused, naming the line, never its value.
	for body, say := range map[string]string{
		"api_key " + testAPIKey + "\nsecret=" + testSecret:                       "line 1: want name=value",
		"api_key=" + testAPIKey + "\napi_key=" + testSecret:                      "line 2: api_key given twice",
		"api_key=" + testAPIKey + "\nsecrett=" + testSecret:                      "line 2: unknown name",
		"api_key=" + testAPIKey:                                                  "want both",
		"api_key=" + testAPIKey + "\nsecret=\n":                                  "secret is empty",
		"api_key=" + testAPIKey + "\n" + strings.Repeat(testSecret, 2000) + "\n": "is larger than",
	} {
		_, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", writeKeys(t, 0o600, body)))
		if err == nil || !strings.Contains(err.Error(), say) {
			t.Errorf("%.40q: %v, want %q", body, err, say)
			continue
		}
		if strings.Contains(err.Error(), testAPIKey[:16]) || strings.Contains(err.Error(), testSecret[:16]) {
			t.Errorf("the error shows a key: %v", err)
		}
	}
}

func TestVenueKeysFromTheEnvironment(t *testing.T) {
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envSecret, testSecret)
	c, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-env", "production", "--venue-quote", "USDC"))
	if err != nil || c.venue == nil || c.venue.Env != "production" || c.venue.Quote != "USDC" || c.venue.Keys.Secret.IsZero() {
		t.Fatalf("from env: %+v, %v", c.venue, err)
	}
	good := fmt.Sprintf("api_key=%s\nsecret=%s\n", testAPIKey, testSecret)
	if _, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", writeKeys(t, 0o600, good))); err == nil ||
		!strings.Contains(err.Error(), "given twice") {
		t.Errorf("file and env both: %v, want refused", err)
	}
	t.Setenv(envSecret, "")
	if _, err := parseFlags(venueArgs(t, "--venue", "binance")); err == nil || !strings.Contains(err.Error(), envSecret) {
		t.Errorf("no secret: %v", err)
	}
}

func TestVenueFlagsRefused(t *testing.T) {
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envSecret, testSecret)
	c, err := parseFlags(venueArgs(t))
	if err != nil || c.venue != nil {
		t.Fatalf("no --venue: %+v, %v; want paper only", c.venue, err)
	}
	c, err = parseFlags(venueArgs(t, "--venue", "binance", "--venue-url", "http://127.0.0.1:8111"))
	if err != nil || c.venue.Env != "emulator" || c.venue.URL != "http://127.0.0.1:8111" {
		t.Fatalf("a rehearsal venue: %+v, %v", c.venue, err)
	}
	for _, tc := range []struct {
		args []string
		say  string
	}{
		{[]string{"--venue-env", "production"}, "--venue-env needs --venue"},
		{[]string{"--venue", "ftx"}, "the one venue there is"},
		{[]string{"--venue", "binance", "--venue-env", "mainnet"}, `environment "mainnet"`},
		{[]string{"--venue", "binance", "--venue-url", "http://192.0.2.1:8111"}, "loopback"},
		{[]string{"--venue", "binance", "--venue-url", "http://127.0.0.1:8111", "--venue-env", "testnet"}, "leave out --venue-env"},
	} {
		_, err := parseFlags(venueArgs(t, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.say) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.say)
		}
		if err != nil && (strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), testSecret)) {
			t.Errorf("the error shows a key: %v", err)
		}
	}
}

// A venue flag given empty is refused and named, not replaced by its
// default: an empty --venue-quote started a daemon trading against USDT.
func TestVenueFlagGivenEmptyIsRefused(t *testing.T) {
	t.Setenv(envAPIKey, testAPIKey)
	t.Setenv(envSecret, testSecret)
	for _, name := range []string{"venue-quote", "venue-env", "venue-url"} {
		_, err := parseFlags(venueArgs(t, "--venue", "binance", "--"+name, ""))
		if err == nil || !strings.Contains(err.Error(), "--"+name+" is empty") {
			t.Errorf("--%s '': %v, want refused naming it", name, err)
		}
	}
	os.Unsetenv(envAPIKey)
	os.Unsetenv(envSecret)
	if _, err := parseFlags(venueArgs(t, "--venue", "binance", "--venue-keys", "")); err == nil || !strings.Contains(err.Error(), "--venue-keys is empty") {
		t.Errorf("--venue-keys '': %v, want refused naming it", err)
	}
}
