package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/venueemu"
)

// WriteVenueKeys writes an API key and secret in the format tradingd's
// --venue-keys and venue-emulator's --keys read, mode 0600, in a fresh
// directory, and returns the file's path.
func WriteVenueKeys(tb testing.TB, apiKey, secret string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "venue-keys")
	body := fmt.Sprintf("api_key=%s\nsecret=%s\n", apiKey, secret)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// LiveArgs are tradingd's flags for live sessions on the rehearsal venue
// at url, with the keys in keysFile.
func LiveArgs(url, keysFile string) []string {
	return []string{"--venue", "binance", "--venue-url", url, "--venue-keys", keysFile}
}

// Emulator is a running venue-emulator (cmd/venue-emulator): a fake
// Binance Spot on loopback.
type Emulator struct {
	URL    string
	Log    *SyncBuffer // its stderr
	cmd    *exec.Cmd
	exited chan error
}

var listeningRe = regexp.MustCompile(`^venue-emulator: listening on (http://127\.0\.0\.1:\d+)$`)

// StartEmulator runs the rehearsal venue with the keys in keysFile and the
// given extra flags (--symbols, --balances, --step, ...), and waits until
// it says where it listens. It is stopped with SIGTERM when the test ends.
func StartEmulator(tb testing.TB, bins, keysFile string, args ...string) *Emulator {
	tb.Helper()
	e := &Emulator{Log: &SyncBuffer{}, exited: make(chan error, 1)}
	e.cmd = exec.Command(filepath.Join(bins, "venue-emulator"), append([]string{"--keys", keysFile}, args...)...)
	e.cmd.Stderr = e.Log
	out, err := e.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listeningRe.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
		e.exited <- e.cmd.Wait()
	}()
	select {
	case e.URL = <-found:
	case err := <-e.exited:
		tb.Fatalf("venue-emulator exited early: %v\n%s", err, e.Log)
	case <-time.After(60 * time.Second):
		tb.Fatalf("venue-emulator did not start:\n%s", e.Log)
	}
	tb.Cleanup(func() {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(30 * time.Second):
			_ = e.cmd.Process.Kill()
			<-e.exited
		}
		if tb.Failed() {
			tb.Logf("venue-emulator log:\n%s", tail(e.Log.String(), 50))
		}
	})
	return e
}

// Ledger reads the venue's record (GET /emulator/ledger): every order
// request it received, every order, every trade, and its balances now.
func (e *Emulator) Ledger(tb testing.TB) venueemu.Ledger {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.URL+"/emulator/ledger", nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("emulator ledger: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("emulator ledger: HTTP %d", resp.StatusCode)
	}
	var l venueemu.Ledger
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		tb.Fatalf("emulator ledger: %v", err)
	}
	return l
}

// SetFaults sets the venue's fault plan (POST /emulator/faults), as an
// operator rehearsing would; the zero plan clears it.
func (e *Emulator) SetFaults(tb testing.TB, f venueemu.Faults) {
	tb.Helper()
	body, err := json.Marshal(f)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.Post(e.URL+"/emulator/faults", "application/json", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if msg, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		tb.Fatalf("POST /emulator/faults %s: %s %s", body, resp.Status, msg)
	}
	tb.Logf("fault plan set: %s", body)
}
