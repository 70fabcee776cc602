package web

import (
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// rpcContentTypes are the content types a browser's Connect or gRPC-Web
// call has. None is one an HTML form or a "simple" fetch can send, so a
// cross-origin call needs a CORS preflight, which is never answered.
var rpcContentTypes = map[string]bool{
	"application/proto":          true,
	"application/json":           true,
	"application/connect+proto":  true,
	"application/connect+json":   true,
	"application/grpc-web":       true,
	"application/grpc-web+proto": true,
}

// rpcHandler passes a browser's call to the transcoder: the login cookie
// becomes the bearer token the auth interceptor reads, and the Cookie
// header itself goes no further, because every request header becomes
// gRPC metadata that interceptors and handlers could see.
type rpcHandler struct {
	next     http.Handler
	cookie   string
	maxBody  int64
	rpcs     *inflight
	stall    time.Duration
	awaiting *awaiting
}

func (h *rpcHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		// Connect GETs would be state-free, but no method is marked
		// idempotent, and a GET is what a cross-site <img> can send.
		w.Header().Set("Allow", http.MethodPost)
		refuse(w, http.StatusMethodNotAllowed, "RPCs are POST")
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !rpcContentTypes[ct] || (r.Header.Get("Connect-Protocol-Version") != "1" && r.Header.Get("X-Grpc-Web") != "1") {
		refuse(w, http.StatusUnsupportedMediaType,
			"an RPC here is a Connect call (Connect-Protocol-Version: 1) or a gRPC-Web one (X-Grpc-Web: 1)")
		return
	}
	if compressed(r.Header) {
		refuse(w, http.StatusUnsupportedMediaType, "a compressed request is not accepted here; send it uncompressed")
		return
	}
	if r.Header.Get("Authorization") == "" {
		if c, err := r.Cookie(h.cookie); err == nil && c.Value != "" {
			r.Header.Set("Authorization", "Bearer "+c.Value)
		}
	}
	r.Header.Del("Cookie")
	if r.ContentLength > h.maxBody {
		refuse(w, http.StatusRequestEntityTooLarge, "the request is larger than the daemon accepts")
		return
	}
	if !h.awaiting.readBody(w, r, h.maxBody) {
		return
	}
	// By the last segment (the mux has already sent "//trading.v1...",
	// "...Service//WatchHealth" and the like to the clean path, 307).
	stream := streams[path.Base(path.Clean(r.URL.Path))]
	if ok, full := h.rpcs.enter(stream); full {
		w.Header().Set("Retry-After", "1")
		writeConnectError(w, http.StatusTooManyRequests, "resource_exhausted",
			"too many streams open on the dashboard's port: tradingd serves at most "+strconv.Itoa(h.rpcs.max)+" at once; close some tabs or retry later")
		return
	} else if !ok {
		shuttingDown(w)
		return
	}
	defer h.rpcs.leave(stream)
	h.next.ServeHTTP(flushStreamHeaders(newStallGuard(w, h.stall), ct), r)
}

// requestEncodings are the headers that name a request body's (or its
// messages') compression in the protocols served here: Connect unary,
// Connect streaming, gRPC-Web.
var requestEncodings = []string{"Content-Encoding", "Connect-Content-Encoding", "Grpc-Encoding"}

// compressed reports whether a request says its body is compressed. No
// browser client compresses requests (ours are a few hundred bytes), and
// vanguard decompresses one it must transcode (JSON to the server's proto)
// into memory without a bound, before any interceptor runs: once grpc-go
// knew gzip, 1 MiB of gzip from anyone, token or not, took 2 GiB. The 1 MiB
// request limit counts bytes on the wire, so it bounds nothing here.
func compressed(h http.Header) bool {
	for _, k := range requestEncodings {
		for _, v := range h.Values(k) {
			if v != "" && !strings.EqualFold(strings.TrimSpace(v), "identity") {
				return true
			}
		}
	}
	return false
}

// streams are TradingService's streaming methods, by name.
var streams = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range tradingv1.TradingService_ServiceDesc.Streams {
		m[s.StreamName] = true
	}
	return m
}()

// flushStreamHeaders is w, sending the headers as soon as they are written
// when the call (of content type ct) is a stream or gRPC-Web.
func flushStreamHeaders(w http.ResponseWriter, ct string) http.ResponseWriter {
	if ct == "application/json" || ct == "application/proto" { // Connect unary: one write
		return w
	}
	return headerFlusher{w}
}

// headerFlusher sends a stream's headers as soon as they are written.
// The transcoder writes them when the gRPC handler sends its own but
// flushes only at a message (its Flush does nothing), so WatchOrders,
// which answers at once and then sends nothing while no order changes,
// would leave the browser waiting for its answer: the Orders view reads
// its snapshot only once the stream has answered, so that no event falls
// between the two.
type headerFlusher struct{ http.ResponseWriter }

func (f headerFlusher) WriteHeader(code int) {
	f.ResponseWriter.WriteHeader(code)
	_ = http.NewResponseController(f.ResponseWriter).Flush()
}

func (f headerFlusher) Flush() { _ = http.NewResponseController(f.ResponseWriter).Flush() }

// Unwrap lets http.ResponseController reach the connection's writer.
func (f headerFlusher) Unwrap() http.ResponseWriter { return f.ResponseWriter }
