package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"

	"github.com/tradectl/tradectl/e2e/harness"
)

// The real tradingd serves the dashboard: a browser's login with the
// daemon's token, then GetStatus over the Connect protocol, with nothing
// but net/http and a cookie jar, as a page's fetch would do it.
func TestDashboardLoginAndGetStatus(t *testing.T) {
	d := harness.StartDaemon(t, bins, harness.Options{HTTP: "127.0.0.1:0"})
	if d.HTTPAddr == "" {
		t.Fatalf("no http_addr in the serving line:\n%s", d.Log)
	}
	tok, err := os.ReadFile(d.TokenFile())
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))
	base := "http://" + d.HTTPAddr
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	call := func(path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Connect-Protocol-Version", "1")
		req.Header.Set("Origin", base)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, body := call("/trading.v1.TradingService/GetStatus", "{}"); code != http.StatusUnauthorized || !strings.Contains(body, "TOKEN_MISSING") {
		t.Fatalf("GetStatus before login: %d %s", code, body)
	}
	if code, body := call("/auth/login", `{"token":"wrong"}`); code != http.StatusUnauthorized || !strings.Contains(body, "TOKEN_INVALID") {
		t.Fatalf("login with a wrong token: %d %s", code, body)
	}
	login, _ := json.Marshal(map[string]string{"token": token})
	if code, body := call("/auth/login", string(login)); code != http.StatusNoContent {
		t.Fatalf("login: %d %s", code, body)
	}
	code, body := call("/trading.v1.TradingService/GetStatus", "{}")
	if code != http.StatusOK {
		t.Fatalf("GetStatus: %d %s", code, body)
	}
	var status struct {
		Health struct {
			Status string `json:"status"`
		} `json:"health"`
	}
	if err := json.Unmarshal([]byte(body), &status); err != nil || status.Health.Status == "" {
		t.Fatalf("GetStatus answered %s (%v), want a health status", body, err)
	}
	d.Terminate(t)
	if strings.Contains(d.Log.String(), token) {
		t.Fatalf("the token is in the daemon's log:\n%s", d.Log)
	}
}
