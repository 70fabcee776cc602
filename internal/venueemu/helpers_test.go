package venueemu

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// httpDo makes one request on a connection of its own and returns the
// answer's body, status and headers.
func httpDo(t *testing.T, ctx context.Context, method, url, body string, hdr map[string]string) ([]byte, int, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, resp.StatusCode, resp.Header
}

// signedDo sends params, with a timestamp and their signature, in the
// body of a request to path, as the test account.
func signedDo(t *testing.T, e *Emulator, method, path, params string) ([]byte, int, http.Header) {
	t.Helper()
	body := params + "&timestamp=" + strconv.FormatInt(time.Now().UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte(body))
	body += "&signature=" + hex.EncodeToString(m.Sum(nil))
	return httpDo(t, context.Background(), method, e.URL()+path, body,
		map[string]string{"X-MBX-APIKEY": testKey, "Content-Type": "application/x-www-form-urlencoded"})
}
