package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"sync"

	"github.com/tradectl/tradectl/server/internal/transport"
)

// Defaults of the cap on requests whose body has not arrived (Config),
// those of the gRPC port (transport.Limits.MaxAwaiting*).
const (
	DefaultMaxAwaiting        = 512
	DefaultMaxAwaitingPerPeer = 64
	// DefaultMaxStreams is the cap on streams served at once (inflight): a
	// hundred dashboards with a few streams each fit, at about 45 MiB.
	DefaultMaxStreams = 512
)

// awaiting bounds the requests whose body is still being read. The gRPC
// port counts the calls waiting for their request in its transport's tap,
// which grpc-go's ServeHTTP never calls; without a count here, a client
// that sent HTTP/2 HEADERS and never the body held a handler goroutine and
// the transcoder's and grpc-go's state per stream until ReadTimeout: 256
// TLS connections x 250 streams, no token needed, took the heap to 2.2 GiB
// (48,000 goroutines). So the RPC handler reads the whole body itself
// (every TradingService call has one request message: unary or
// server-streaming), counting it while it waits, as gRPC does: at most max
// at once, perPeer from one peer (transport.PeerOf); past either it is
// refused at once. Requests the daemon spares (they carry the token) are
// not counted, so that anonymous ones cannot lock the operator out.
type awaiting struct {
	max, perPeer int
	spare        func(*http.Request) bool

	mu    sync.Mutex
	n     int
	peers map[netip.Prefix]int
}

func newAwaiting(max, perPeer int, spare func(*http.Request) bool) *awaiting {
	return &awaiting{max: max, perPeer: perPeer, spare: spare, peers: map[netip.Prefix]int{}}
}

func (a *awaiting) take(p netip.Prefix) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n >= a.max || a.peers[p] >= a.perPeer {
		return false
	}
	a.n++
	a.peers[p]++
	return true
}

func (a *awaiting) give(p netip.Prefix) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n--
	if a.peers[p]--; a.peers[p] <= 0 {
		delete(a.peers, p)
	}
}

// readBody reads r's body (at most maxBody bytes; the server's ReadTimeout
// bounds the wait) and puts it back in memory, or answers and reports false.
func (a *awaiting) readBody(w http.ResponseWriter, r *http.Request, maxBody int64) bool {
	if a.spare == nil || !a.spare(r) {
		p := transport.PeerOf(r.RemoteAddr)
		if !a.take(p) {
			w.Header().Set("Retry-After", "1")
			writeConnectError(w, http.StatusTooManyRequests, "resource_exhausted",
				"too many calls waiting for their request: tradingd holds at most "+strconv.Itoa(a.max)+
					" at once, "+strconv.Itoa(a.perPeer)+" from one peer; retry later")
			return false
		}
		defer a.give(p)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			refuse(w, http.StatusRequestEntityTooLarge, "the request is larger than the daemon accepts")
		} else {
			refuse(w, http.StatusBadRequest, "the request's body did not arrive")
		}
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return true
}
