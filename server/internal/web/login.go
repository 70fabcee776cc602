package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
)

// CookieName is the login cookie's name on plaintext loopback; under TLS
// it is "__Host-" + CookieName (Secure, this host only, Path=/).
const CookieName = "tradectl_token"

func cookieName(tls bool) string {
	if tls {
		return "__Host-" + CookieName
	}
	return CookieName
}

// loginHandler checks a token by making the call a client would, GetStatus,
// through the transcoder and so the whole interceptor chain: the same
// token check, rate limit, refusal log and audit, and no second
// comparison of the token here. Only if the chain answers 200 is the token
// put in the cookie. The token arrives in a POST body, never a URL, and
// the cookie is HttpOnly, so the page's script never holds it after the
// form is sent.
type loginHandler struct {
	rpc      http.Handler
	awaiting *awaiting
	tls      bool
	cookie   string
	log      *slog.Logger
}

// maxLoginBody bounds the login form: a token is 64 characters or so.
const maxLoginBody = 4 << 10

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		refuse(w, http.StatusUnsupportedMediaType, `log in with a JSON body: {"token": "..."}`)
		return
	}
	var body struct {
		Token string `json:"token"`
	}
	// Its body is awaited under the same count as an RPC's: a held login
	// form cost as much as a held call (64,000 of them over HTTP/2 took
	// 550 MiB).
	if !h.awaiting.readBody(w, r, maxLoginBody) {
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		refuse(w, http.StatusBadRequest, `log in with a JSON body: {"token": "..."}`)
		return
	}
	if !cookieSafe(body.Token) {
		// It could not travel in the cookie; no daemon token has such bytes.
		writeConnectError(w, http.StatusBadRequest, "invalid_argument", "the token has characters no daemon token has")
		return
	}
	check, err := http.NewRequestWithContext(r.Context(), http.MethodPost, RPCPrefix+"GetStatus", bytes.NewReader([]byte("{}")))
	if err != nil {
		refuse(w, http.StatusInternalServerError, "login failed")
		return
	}
	check.RemoteAddr, check.TLS, check.Host = r.RemoteAddr, r.TLS, r.Host
	check.Header.Set("Content-Type", "application/json")
	check.Header.Set("Connect-Protocol-Version", "1")
	if body.Token != "" {
		check.Header.Set("Authorization", "Bearer "+body.Token)
	}
	rec := &recorder{header: http.Header{}}
	h.rpc.ServeHTTP(rec, check)
	if rec.code != http.StatusOK {
		// The chain's own answer (401 TOKEN_INVALID, 429 RATE_LIMITED
		// with its RetryInfo), so the page shows what any client sees.
		h.log.Info("dashboard login refused", "peer", r.RemoteAddr, "status", rec.code)
		for _, k := range []string{"Content-Type", "Retry-After"} {
			if v := rec.header.Get(k); v != "" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(rec.code)
		_, _ = w.Write(rec.body.Bytes())
		return
	}
	http.SetCookie(w, &http.Cookie{Name: h.cookie, Value: body.Token, Path: "/", HttpOnly: true,
		Secure: h.tls, SameSite: http.SameSiteStrictMode})
	h.log.Info("dashboard login", "peer", r.RemoteAddr)
	w.WriteHeader(http.StatusNoContent)
}

// logout expires the cookie. It needs no token: forgetting one is harmless.
func (h *loginHandler) logout(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.SetCookie(w, &http.Cookie{Name: h.cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.tls, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

// cookieSafe is RFC 6265's cookie-octet: net/http would silently drop any
// other byte from the value (and log it), leaving a cookie that is not
// the token.
func cookieSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// writeConnectError answers as a Connect unary error, so the page reads
// every refusal the same way.
func writeConnectError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"code": code, "message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// recorder keeps the in-process GetStatus's answer. It is a Flusher
// because gRPC's ServeHTTP insists on one.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if r.body.Len() > maxLoginBody*16 {
		return io.Discard.Write(b) // only an error's body is passed on
	}
	return r.body.Write(b)
}
func (r *recorder) Flush() {}
