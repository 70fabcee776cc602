package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Requests that send their headers and hold back the body are counted:
// past the cap from one peer the next is refused at once, while the
// operator's (spared: its cookie carries the token) is still served, though
// a login form, which is awaited too, would not be; when the
// held ones go, the peer is served again. Without the count each held
// request kept a handler, the transcoder's and grpc-go's state until
// ReadTimeout, without limit.
func TestHeldBodiesAreCapped(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.MaxAwaiting, c.MaxAwaitingPerPeer = 8, 2
		c.Spare = func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+testToken }
	})
	op := e.client(t)
	e.login(t, op, testToken) // before: a login form is awaited like any request
	held := make([]net.Conn, 2)
	for i := range held {
		c, err := net.Dial("tcp", e.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held[i] = c
		fmt.Fprintf(c, "POST %sGetStatus HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
			"Connect-Protocol-Version: 1\r\nContent-Length: 2\r\n\r\n", RPCPrefix, e.srv.Listener.Addr())
	}
	anon := &http.Client{Transport: &http.Transport{}}
	defer anon.CloseIdleConnections()
	var code int
	var body string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if code, body = e.unary(t, anon, "GetStatus", nil); code == http.StatusTooManyRequests {
			break
		}
	}
	if code != http.StatusTooManyRequests || !strings.Contains(body, "resource_exhausted") {
		t.Fatalf("with 2 bodies held from this peer: %d %s, want 429 resource_exhausted", code, body)
	}
	if resp := e.login(t, anon, testToken); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a login form with the peer's slots held: %d, want 429", resp.StatusCode)
	}
	if code, body := e.unary(t, op, "GetStatus", nil); code != http.StatusOK {
		t.Fatalf("the operator, while the peer's slots are held: %d %s", code, body)
	}
	for _, c := range held {
		c.Close()
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if code, body = e.unary(t, anon, "GetStatus", nil); code != http.StatusTooManyRequests {
			break
		}
	}
	if code != http.StatusUnauthorized {
		t.Fatalf("after the held requests went: %d %s, want the chain's 401", code, body)
	}
}
