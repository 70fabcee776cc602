package service

import (
	"encoding/base64"
	"encoding/json"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/store"
)

// Page sizes (AIP-158): a page_size of 0 takes the default, a larger one is
// cut to the maximum. A page stays below the 4 MiB a gRPC client receives
// by default, whatever limit was asked for: a fill is about a hundred
// bytes, a session with its settings and summary a few kilobytes, and an
// order usually under one, while a page of orders with many fills each is
// cut further (maxPageBytes).
const (
	defaultOrdersPage   = 1000
	maxOrdersPage       = 1000
	defaultFillsPage    = 5000
	maxFillsPage        = 5000
	defaultSessionsPage = 100
	maxSessionsPage     = 100
)

// maxPageBytes bounds an encoded page, below the 4 MiB a gRPC client
// receives by default. A variable for tests.
var maxPageBytes = 3 << 20

// pageToken is what a next_page_token carries: the request it continues
// (which a later request must repeat), the session the first page settled
// on, and where the list goes on. Clients treat it as opaque; the daemon
// checks it, since a client can send anything.
type pageToken struct {
	List     string `json:"l"`           // "orders", "fills", "sessions"
	Session  string `json:"s,omitempty"` // session_id as requested
	Resolved string `json:"r,omitempty"` // the session listed
	OpenOnly bool   `json:"o,omitempty"`
	Limit    int32  `json:"n,omitempty"`
	Lo       int64  `json:"lo,omitempty"`
	Hi       int64  `json:"hi,omitempty"`
	After    int64  `json:"a,omitempty"`
}

// pageQuery is a list request's paging fields and what must not change
// between its pages.
type pageQuery struct {
	token           pageToken // the request's fields, cursor zero
	size            int32
	text            string // page_token
	def, max, limit int
}

// page decodes q's page_token and returns the store's page and the session
// to list ("" until the first page resolved one). A token that does not
// decode, or was issued for another request, is INVALID_ARGUMENT.
func (q pageQuery) page() (store.Page, string, error) {
	p := store.Page{Limit: q.limit, Size: q.def}
	if q.size > 0 {
		p.Size = min(int(q.size), q.max)
	}
	if q.text == "" {
		return p, q.token.Session, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(q.text)
	var tok pageToken
	if err == nil {
		err = json.Unmarshal(raw, &tok)
	}
	if err != nil || tok.Resolved == "" && q.token.List != "sessions" || tok.Hi < 0 || tok.Lo < 0 {
		return p, "", tradingv1.InvalidField("page_token", "not a page token of this daemon")
	}
	want, got := q.token, tok
	got.Resolved, got.Lo, got.Hi, got.After = "", 0, 0, 0
	if got != want {
		return p, "", tradingv1.InvalidField("page_token",
			"issued for another request: repeat the first request's fields (session_id, limit, open_only) with it")
	}
	p.Cursor = store.Cursor{Lo: tok.Lo, Hi: tok.Hi, After: tok.After}
	return p, tok.Resolved, nil
}

// next encodes the token of the page after this one, "" on the last page.
func (q pageQuery) next(resolved string, c *store.Cursor) string {
	if c == nil {
		return ""
	}
	tok := q.token
	tok.Resolved, tok.Lo, tok.Hi, tok.After = resolved, c.Lo, c.Hi, c.After
	b, err := json.Marshal(tok)
	if err != nil {
		panic(err) // a struct of strings and numbers always marshals
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
