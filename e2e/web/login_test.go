package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tradectl/tradectl/internal/browsertest"
)

// refusal is what the daemon answers a login with this token: its Connect
// error message, the words the page must show.
func refusal(t *testing.T, base, token string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"token": token})
	req, _ := http.NewRequest(http.MethodPost, base+"/auth/login", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Message string }
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusUnauthorized || e.Message == "" {
		t.Fatalf("login with a wrong token: HTTP %d, message %q (%v)", resp.StatusCode, e.Message, err)
	}
	return e.Message
}

// A wrong token gets the daemon's reason next to the form, and nothing of
// the running session: no call answered, no session on the page.
func TestWrongTokenReadsNothing(t *testing.T) {
	b := open(t)
	out, errOut, code := b.d.Ctl(t, "start", "--paper", "--tick-interval", "100ms", "-o", "json")
	if code != 0 {
		t.Fatalf("start: exit %d: %s", code, errOut)
	}
	var started struct{ Session struct{ ID string } }
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.Session.ID == "" {
		t.Fatalf("start -o json: %v\n%s", err, out)
	}
	const wrong = "not-the-token-0123456789abcdef"
	want := refusal(t, b.base, wrong)
	b.p.AllowRequest(func(r browsertest.Request) bool {
		return r.Status == 401 && r.URL == b.base+"/auth/login"
	})
	b.shot("login")

	b.run("log in with a wrong token", chromedp.SendKeys(chromedp.ID("token"), wrong), chromedp.Click(chromedp.ID("login-submit")))
	b.waitFor("the login error", visible("#login-error")+` && document.getElementById("login-error").textContent.includes(`+js(want)+`)`, 20*time.Second)
	b.shot("wrong token")

	if got := eval[string](b, `document.getElementById("token").getAttribute("aria-invalid") || ""`); got != "true" {
		t.Errorf("token field aria-invalid=%q after a refusal, want true", got)
	}
	page := eval[string](b, "document.documentElement.textContent")
	for _, secret := range []string{started.Session.ID, "RUNNING"} {
		if strings.Contains(page, secret) {
			t.Errorf("the page shows %q without a login:\n%s", secret, page)
		}
	}
	if !eval[bool](b, hidden("#dashboard")) {
		t.Error("the dashboard is visible without a login")
	}
	var rpcs int
	for _, r := range b.p.Requests() {
		if strings.Contains(r.URL, wrong) {
			t.Errorf("the wrong token is in a URL: %s", r.URL)
		}
		if strings.HasPrefix(r.URL, b.base+rpcPrefix) {
			rpcs++
			if r.Status == http.StatusOK {
				t.Errorf("%s %s answered 200 without a login", r.Method, r.URL)
			}
		}
		if r.URL == b.base+"/auth/login" && r.Method != http.MethodPost {
			t.Errorf("login by %s, want POST (a body, never a URL)", r.Method)
		}
	}
	if rpcs == 0 {
		t.Error("the page made no call at all: the refusal above proves nothing")
	}
	if c := eval[string](b, "document.cookie"); c != "" {
		t.Errorf("document.cookie = %q after a refused login", c)
	}
	if strings.Contains(b.d.Log.String(), wrong) {
		t.Error("the wrong token is in the daemon's log")
	}
}
