// Package web serves tradingd's dashboard: the static page, and the daemon's
// own TradingService to browsers over the Connect protocol (and gRPC-Web),
// transcoded by vanguard in front of the daemon's *grpc.Server, so that a
// browser's call goes through the same interceptors (authentication, rate
// limits, validation, audit) as any other client's. There is no second API.
//
// It owns the HTTP mechanics only: the routes, the login cookie, the
// defences against other sites (Host allow-list, cross-origin refusal,
// required protocol headers, no CORS), the security headers and the
// http.Server's limits. The daemon wires it (server/daemon); it must never
// check a token itself, hold session state, or log a header.
package web

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"connectrpc.com/vanguard"
	"connectrpc.com/vanguard/vanguardgrpc"
	"google.golang.org/grpc"
)

// Config is what New serves.
type Config struct {
	// GRPC is the daemon's server; its TradingService is what browsers
	// call. Nothing else on it is reachable over HTTP.
	GRPC *grpc.Server
	// Hosts are the Host header values accepted (see Hosts); any other is
	// refused before anything runs, which defeats DNS rebinding against
	// a loopback listener.
	Hosts []string
	// TLS is whether the listener serves TLS: the cookie is then Secure
	// and carries the __Host- prefix.
	TLS bool
	// MaxRequestBytes bounds a request body (default 1 MiB, the gRPC
	// server's MaxRecvMsgSize); MaxResponseBytes one transcoded message
	// (default 16 MiB, its MaxSendMsgSize).
	MaxRequestBytes  int64
	MaxResponseBytes uint32
	// WriteStall bounds how long one write of an answer may stay blocked
	// on a client that does not read (default DefaultWriteStall); see
	// stallGuard.
	WriteStall time.Duration
	// MaxAwaiting and MaxAwaitingPerPeer bound the RPCs whose request
	// body has not arrived yet (defaults DefaultMaxAwaiting,
	// DefaultMaxAwaitingPerPeer); Spare reports the requests they do not
	// count: the daemon's, those that carry its token. See awaiting.
	MaxAwaiting, MaxAwaitingPerPeer int
	// MaxStreams bounds the streams (WatchHealth, WatchOrders) served at
	// once over this port (default DefaultMaxStreams); see inflight.
	MaxStreams int
	Spare      func(*http.Request) bool
	Log        *slog.Logger
}

// Routes.
const (
	// RPCPrefix is where TradingService's methods are, as connect-web and
	// gRPC-Web clients address them: POST RPCPrefix + "GetStatus".
	RPCPrefix  = "/trading.v1.TradingService/"
	LoginPath  = "/auth/login"
	LogoutPath = "/auth/logout"
)

//go:embed assets
var assetsFS embed.FS

// New builds the dashboard's handler.
func New(cfg Config) (*Handler, error) {
	if cfg.GRPC == nil {
		return nil, errors.New("web: Config.GRPC is nil")
	}
	if len(cfg.Hosts) == 0 {
		return nil, errors.New("web: Config.Hosts is empty: no Host would be accepted")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRequestBytes <= 0 {
		cfg.MaxRequestBytes = 1 << 20
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	if cfg.MaxAwaiting <= 0 {
		cfg.MaxAwaiting = DefaultMaxAwaiting
	}
	if cfg.MaxAwaitingPerPeer <= 0 {
		cfg.MaxAwaitingPerPeer = DefaultMaxAwaitingPerPeer
	}
	if cfg.WriteStall <= 0 {
		cfg.WriteStall = DefaultWriteStall
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = 16 << 20
	}
	tc, err := vanguardgrpc.NewTranscoder(cfg.GRPC,
		vanguard.WithDefaultServiceOptions(vanguard.WithMaxMessageBufferBytes(cfg.MaxResponseBytes)))
	if err != nil {
		return nil, err
	}
	assets, err := loadAssets(assetsFS)
	if err != nil {
		return nil, err
	}
	rpcs := newInflight(cfg.MaxStreams)
	awaiting := newAwaiting(cfg.MaxAwaiting, cfg.MaxAwaitingPerPeer, cfg.Spare)
	rpc := &rpcHandler{next: tc, cookie: cookieName(cfg.TLS), maxBody: cfg.MaxRequestBytes, rpcs: rpcs,
		stall: cfg.WriteStall, awaiting: awaiting}
	login := &loginHandler{rpc: tc, awaiting: awaiting, tls: cfg.TLS, cookie: cookieName(cfg.TLS), log: cfg.Log}

	mux := http.NewServeMux()
	mux.Handle("GET /{$}", assets.file("index.html"))
	mux.Handle("GET /assets/{name}", assets)
	mux.Handle("POST "+LoginPath, login)
	mux.HandleFunc("POST "+LogoutPath, login.logout)
	mux.Handle(RPCPrefix, rpc) // any method: rpcHandler answers 405 itself
	// Outermost first: a foreign Host is refused before anything else
	// looks at the request; then cross-origin state changes; the headers
	// go on every answer, refusals included.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cfg.Log.Warn("dashboard request refused: cross-origin", "method", r.Method, "path", r.URL.Path, "peer", r.RemoteAddr)
		refuse(w, http.StatusForbidden, "cross-origin request refused")
	}))
	h := withHeaders(cop.Handler(mux))
	return &Handler{Handler: hostCheck(cfg.Hosts, cfg.Log, h), rpcs: rpcs}, nil
}

// refuse answers a request the dashboard will not serve, with a plain
// reason (never anything from the request).
func refuse(w http.ResponseWriter, code int, reason string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(reason + "\n"))
}

// csp allows the page its own script, style and API only: no inline
// script, no other origin, no framing. The one inline style allowed, by
// its hash, is the <style> lightweight-charts (5.2.1, pinned) adds for its
// attribution logo, which its licence asks the page to show; a new
// version with other CSS shows as a CSP violation in the browser tests.
const csp = "default-src 'none'; script-src 'self'; " +
	"style-src 'self' 'sha256-3pRED1tOXas1FXFoPb9TGCjmYe9XQsmO9OV23khV2nY='; connect-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func withHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func hostCheck(hosts []string, log *slog.Logger, next http.Handler) http.Handler {
	ok := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		ok[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ok[strings.ToLower(r.Host)] {
			log.Warn("dashboard request refused: Host not allowed", "host", r.Host, "peer", r.RemoteAddr)
			w.Header().Set("Content-Security-Policy", csp)
			refuse(w, http.StatusMisdirectedRequest, "this Host is not served here (tradingd --http-allowed-host)")
			return
		}
		next.ServeHTTP(w, r)
	})
}
