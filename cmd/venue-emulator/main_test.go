package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// syncBuf is a buffer the command writes and the test reads at once.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServesUntilStopped: the command prints its URL, serves the venue's
// REST there with the keys from a 0600 file, and stops cleanly.
func TestServesUntilStopped(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(keys, []byte("api_key=k1\nsecret=s1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuf
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--keys", keys, "--symbols", "BTC-USD,ETH-USD", "--balances", "USDT=5,BTC=1"}, &out, &errOut)
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		if line, ok := strings.CutPrefix(strings.TrimSpace(out.String()), "venue-emulator: listening on "); ok {
			url = line
		} else if time.Now().After(deadline) {
			t.Fatalf("no URL printed; stderr %q", errOut.String())
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("url %q", url)
	}
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Get(url + "/api/v3/exchangeInfo")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"symbol":"ETHUSDT"`) {
		t.Fatalf("exchangeInfo %d %s", resp.StatusCode, b)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d; stderr %q", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
}

func TestRefusesBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("api_key=k\nsecret=s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TRADECTL_BINANCE_API_KEY", "")
	t.Setenv("TRADECTL_BINANCE_SECRET", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--api-key", "k", "--secret", "s", "--listen", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"--keys", open}, "want 0600"},
		{[]string{"--symbols", "", "--api-key", "k", "--secret", "s"}, "--symbols is empty"},
		{[]string{"--api-key", "k", "--secret", "s", "--balances", "USDT=-1"}, "is not an amount"},
		{[]string{"--api-key", "k"}, "an API key and a secret are required"},
		{[]string{"--api-key", "k", "--secret", "s", "--symbols", "NOPE-USD"}, "unknown symbol"},
		{[]string{"--api-key", "k", "--secret", "s", "--levels", "21"}, "levels 21 out of range"},
	} {
		var out, errOut syncBuf
		code := run(context.Background(), tc.args, &out, &errOut)
		if code == 0 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}
