//go:build hostile

package hostile

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2conn is a raw HTTP/2 client connection: what an attacker writes,
// frame by frame, with none of a real client's manners.
type h2conn struct {
	conn net.Conn
	mu   sync.Mutex // writes
	fr   *http2.Framer
	next uint32 // next stream id
}

// dialH2 connects from the attacker's address, sends the preface and empty
// SETTINGS, and discards whatever the server sends until ctx ends or the
// server hangs up. It returns nil if the server refused the connection.
func dialH2(ctx context.Context, wg *sync.WaitGroup, addr string) *h2conn {
	return dialH2From(ctx, wg, attacker, addr)
}

// dialH2From is dialH2 from another attacker address.
func dialH2From(ctx context.Context, wg *sync.WaitGroup, from, addr string) *h2conn {
	c, err := dialerFrom(from)(ctx, addr)
	if err != nil {
		return nil
	}
	h := &h2conn{conn: c, fr: http2.NewFramer(c, nil), next: 1}
	if _, err := io.WriteString(c, http2.ClientPreface); err != nil || h.fr.WriteSettings() != nil {
		c.Close()
		return nil
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	wg.Go(func() {
		defer stop()
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
	})
	return h
}

// headers encodes a gRPC call's request headers, plus extra.
func headers(addr, method string, extra ...hpack.HeaderField) []byte {
	var b bytes.Buffer
	enc := hpack.NewEncoder(&b)
	for _, f := range append([]hpack.HeaderField{
		{Name: ":method", Value: "POST"}, {Name: ":scheme", Value: "http"},
		{Name: ":path", Value: method}, {Name: ":authority", Value: addr},
		{Name: "content-type", Value: "application/grpc"}, {Name: "te", Value: "trailers"},
	}, extra...) {
		_ = enc.WriteField(f)
	}
	return b.Bytes()
}

// open starts a stream with the given header block (split into
// CONTINUATION frames as needed) and returns its id; endStream ends the
// client's side at once.
func (h *h2conn) open(block []byte, endStream bool) (uint32, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.next
	h.next += 2
	const frag = 16 << 10
	first := block[:min(len(block), frag)]
	if err := h.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: first,
		EndStream: endStream, EndHeaders: len(block) <= frag}); err != nil {
		return 0, err
	}
	for rest := block[len(first):]; len(rest) > 0; {
		n := min(len(rest), frag)
		if err := h.fr.WriteContinuation(id, n == len(rest), rest[:n]); err != nil {
			return 0, err
		}
		rest = rest[n:]
	}
	return id, nil
}

// data sends one gRPC message (uncompressed) on a stream.
func (h *h2conn) data(id uint32, msg []byte, endStream bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	frame := append([]byte{0, byte(len(msg) >> 24), byte(len(msg) >> 16), byte(len(msg) >> 8), byte(len(msg))}, msg...)
	return h.fr.WriteData(id, endStream, frame)
}

func (h *h2conn) locked(f func(fr *http2.Framer) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return f(h.fr)
}

// conns dials n raw connections, at most par at a time, and returns those
// the server kept.
func conns(ctx context.Context, t *testing.T, wg *sync.WaitGroup, addr string, n int) []*h2conn {
	out := make([]*h2conn, 0, n)
	for range n {
		if ctx.Err() != nil {
			break
		}
		if h := dialH2(ctx, wg, addr); h != nil {
			out = append(out, h)
		}
	}
	t.Logf("%d of %d connections dialled", len(out), n)
	// Let the server close the ones past its caps.
	time.Sleep(200 * time.Millisecond)
	return out
}
