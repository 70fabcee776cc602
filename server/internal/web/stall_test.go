package web

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// watch opens WatchHealth as the page does and reads its first report.
func (e *env) watch(t *testing.T, ctx context.Context, c *http.Client) (*http.Response, *bufio.Reader) {
	t.Helper()
	if resp := e.login(t, c, testToken); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+RPCPrefix+"WatchHealth",
		bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
	req.Header.Set("Content-Type", "application/connect+json")
	req.Header.Set("Connect-Protocol-Version", "1")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	br := bufio.NewReader(resp.Body)
	if _, msg := readFrame(t, br); !strings.Contains(msg, "initial") {
		t.Fatalf("first frame %s", msg)
	}
	return resp, br
}

// A client that opens a stream and stops reading does not hold the
// handler: once a write has been blocked for WriteStall the stream ends,
// over HTTP/1.1 and HTTP/2 alike. Without the guard the handler stayed
// blocked in Send for as long as the connection was open.
func TestStalledReaderReleasesTheStream(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "http1", true: "h2"}[h2], func(t *testing.T) {
			e := startEnv(t, h2, func(c *Config) { c.WriteStall = 200 * time.Millisecond })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resp, _ := e.watch(t, ctx, e.client(t))
			if h2 != (resp.ProtoMajor == 2) {
				t.Fatalf("served over %s", resp.Proto)
			}
			// Reports of 64 KiB until the connection's buffers are full
			// and Send blocks; the client never reads again.
			big := strings.Repeat("x", 64<<10)
			giveUp := time.After(20 * time.Second)
			for sent := 0; ; sent++ {
				select {
				case e.reports <- big:
				case err := <-e.ended: // a failed Send, or the cancelled context
					t.Logf("stream released after %d reports (%d MiB): %v", sent, sent>>4, err)
					return
				case <-giveUp:
					t.Fatalf("the handler is still blocked writing to a client that stopped reading, after %d reports", sent)
				}
			}
		})
	}
}

// A stream that is only quiet is not cut: the deadline holds during a
// write, not between writes.
func TestQuietStreamOutlivesWriteStall(t *testing.T) {
	for _, h2 := range []bool{false, true} {
		t.Run(map[bool]string{false: "http1", true: "h2"}[h2], func(t *testing.T) {
			stall := 100 * time.Millisecond
			e := startEnv(t, h2, func(c *Config) { c.WriteStall = stall })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, br := e.watch(t, ctx, e.client(t))
			time.Sleep(5 * stall) // quiet for several stall times (what is tested is that time passes)
			e.reports <- "later"
			if flags, msg := readFrame(t, br); flags != 0 || !strings.Contains(msg, "later") {
				t.Fatalf("after a quiet spell: frame %x %s, want the report", flags, msg)
			}
			select {
			case err := <-e.ended:
				t.Fatalf("the quiet stream ended: %v", err)
			default:
			}
		})
	}
}

// The streams served at once over the port are capped (MaxStreams): with the
// cap's worth open the next stream is refused at once, saying why, however
// its path is spelled (the mux redirects, 307), while unary calls are still served; when one ends,
// streams are served again.
func TestOpenStreamsAreCapped(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxStreams = 2 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := e.client(t)
	first, _ := e.watch(t, ctx, c)
	e.watch(t, ctx, c)
	third := func(path string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+path, bytes.NewReader([]byte{0, 0, 0, 0, 2, '{', '}'}))
		req.Header.Set("Content-Type", "application/connect+json")
		req.Header.Set("Connect-Protocol-Version", "1")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return resp.StatusCode, "" // a stream: served
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{RPCPrefix + "WatchHealth", "/" + RPCPrefix + "WatchOrders", RPCPrefix + "/WatchHealth"} {
		if code, body := third(p); code != http.StatusTooManyRequests || !strings.Contains(body, "at most 2 at once") {
			t.Fatalf("a third stream (%s) with two open: %d %s, want 429 naming the cap", p, code, body)
		}
	}
	if code, body := e.unary(t, c, "GetStatus", nil); code != http.StatusOK {
		t.Fatalf("a unary call with the streams' cap reached: %d %s", code, body)
	}
	first.Body.Close()
	var code int
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if code, _ = third(RPCPrefix + "WatchHealth"); code != http.StatusTooManyRequests {
			break
		}
	}
	if code != http.StatusOK {
		t.Fatalf("a stream after one ended: %d", code)
	}
}
