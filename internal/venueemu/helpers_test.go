package venueemu

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
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
