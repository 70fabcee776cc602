package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Drain waits for the browsers' calls in progress (a stream here) and
// refuses new ones with Connect's UNAVAILABLE, which a page retries,
// rather than letting them reach a gRPC server that is stopping.
func TestDrainWaitsForCallsAndRefusesNewOnes(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if resp := e.login(t, c, testToken); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+RPCPrefix+"WatchHealth",
		bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if _, msg := readFrame(t, br); !strings.Contains(msg, "initial") {
		t.Fatalf("first frame %s", msg)
	}

	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if err := e.h.Drain(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Drain with a stream open: %v, want it to wait for the stream", err)
	}
	if code, body := e.unary(t, c, "GetStatus", nil); code != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"unavailable"`) {
		t.Fatalf("a call while draining: %d %s", code, body)
	}
	close(e.reports) // the stream's handler returns, as the daemon's do at shutdown
	if flags, _ := readFrame(t, br); flags != 2 {
		t.Fatalf("end of stream flags %x", flags)
	}
	long, stop2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop2()
	if err := e.h.Drain(long); err != nil {
		t.Fatalf("Drain after the stream ended: %v", err)
	}
}
