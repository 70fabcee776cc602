package webbench

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// dashboard emulates what an open dashboard asks of the daemon, without a
// browser: the two Connect streams the page keeps open (WatchHealth,
// WatchOrders) and GetStatus and GetPortfolio every 2 s, the most the page
// polls, all in the binary Connect protocol as connect-web sends it, with
// the login cookie. Each one has its own HTTP client and connection from
// its own loopback address (127.0.0.2, .3, ...), as separate browsers on
// separate machines would: one peer each for the daemon's caps.
type dashboard struct {
	c      *http.Client
	base   string
	cookie string
	st     *dashStats
}

// dashStats counts what all the dashboards received, and their failures.
type dashStats struct {
	health, orders, calls, errs atomic.Int64
	mu                          sync.Mutex
	first                       error
	http1                       atomic.Int64 // answers not over HTTP/2
}

func (s *dashStats) fail(err error) {
	s.errs.Add(1)
	s.mu.Lock()
	if s.first == nil {
		s.first = err
	}
	s.mu.Unlock()
}

func (s *dashStats) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// newDashboardClient is the HTTP client of dashboard i: TLS against pool,
// HTTP/2 (one connection carries its streams and calls, as a browser's
// does over TLS), dialling from 127.0.0.(2+i).
// Without a pool, plaintext HTTP/1.1, as a browser speaks it on plaintext
// loopback: a connection per stream, and one for the calls.
func newDashboardClient(i int, pool *x509.CertPool) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, byte(i/250), byte(2+i%250))}}
	tr := &http.Transport{DialContext: d.DialContext}
	if pool != nil {
		tr.TLSClientConfig, tr.ForceAttemptHTTP2 = &tls.Config{RootCAs: pool}, true
	}
	return &http.Client{Transport: tr}
}

// run starts the dashboard's streams and polling; they stop with ctx.
func (db *dashboard) run(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(3)
	go func() { defer wg.Done(); db.stream(ctx, "WatchHealth", &tradingv1.WatchHealthRequest{}, &db.st.health) }()
	go func() { defer wg.Done(); db.stream(ctx, "WatchOrders", &tradingv1.WatchOrdersRequest{}, &db.st.orders) }()
	go func() { defer wg.Done(); db.poll(ctx) }()
}

func (db *dashboard) request(ctx context.Context, method, ctype string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, db.base+rpcPrefix+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Connect-Protocol-Version", "1")
	req.Header.Set("Cookie", db.cookie)
	resp, err := db.c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.ProtoMajor != 2 {
		db.st.http1.Add(1)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s %s", method, resp.Status, b)
	}
	return resp, nil
}

// stream reads a server stream until ctx ends, counting its messages; it
// ending before that is a failure.
func (db *dashboard) stream(ctx context.Context, method string, req proto.Message, count *atomic.Int64) {
	msg, _ := proto.Marshal(req)
	resp, err := db.request(ctx, method, "application/connect+proto", envelope(msg))
	if err != nil {
		if ctx.Err() == nil {
			db.st.fail(err)
		}
		return
	}
	defer resp.Body.Close()
	var buf []byte
	for {
		frame, end, err := readFrame(resp.Body, buf)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			db.st.fail(fmt.Errorf("%s: %w", method, err))
			return
		case end:
			db.st.fail(fmt.Errorf("%s ended: %s", method, frame))
			return
		}
		buf = frame
		count.Add(1)
	}
}

// poll calls GetStatus and GetPortfolio every 2 s, starting at a random
// point of the first period, as pages opened at different times do.
func (db *dashboard) poll(ctx context.Context) {
	t := time.NewTimer(rand.N(2 * time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t.Reset(2 * time.Second)
		for _, c := range []struct {
			method string
			req    proto.Message
		}{{"GetStatus", &tradingv1.GetStatusRequest{}}, {"GetPortfolio", &tradingv1.GetPortfolioRequest{}}} {
			msg, _ := proto.Marshal(c.req)
			resp, err := db.request(ctx, c.method, "application/proto", msg)
			if err != nil {
				if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
					db.st.fail(err)
				}
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil && ctx.Err() == nil {
				db.st.fail(fmt.Errorf("%s: %w", c.method, err))
				return
			}
			db.st.calls.Add(1)
		}
	}
}
