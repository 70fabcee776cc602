package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// The network side of MarketData: one socket for every symbol (a combined
// stream when there are several), a watchdog on it, redials with backoff,
// the frames' parsing, and one snapshot fetcher per symbol. All of it runs under Run's context
// and is waited for before Run returns.

// mdMaxFrame bounds one stream frame; a busy book's 100ms diff is tens of KB.
const mdMaxFrame = 16 << 20

// mdDialTimeout bounds the WebSocket handshake.
const mdDialTimeout = 10 * time.Second

// Run works the streams until ctx ends, then returns nil after every
// goroutine it started has stopped. It may run once.
func (m *MarketData) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("binance: market data is already running")
	}
	m.mu.Lock()
	m.started = m.cfg.Now() // silence is judged from here, not from construction
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range m.syms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.snapshots(ctx, s)
		}()
	}
	m.connect(ctx)
	wg.Wait()
	return nil
}

// connect dials and reads the stream, redialling until ctx ends. The
// pause before a redial grows while connections fail without delivering
// anything, and starts over after one that delivered.
func (m *MarketData) connect(ctx context.Context) {
	for attempt := 0; ; {
		if attempt > 0 {
			m.mu.Lock()
			m.reconnects++
			m.mu.Unlock()
			if !mdSleep(ctx, mdJitter(m.cfg.Backoff, m.cfg.MaxBackoff, attempt)) {
				return
			}
		}
		delivered := m.session(ctx)
		// Whatever is sent while no socket is open is lost: no book can
		// be trusted to continue into the next connection, nor to hold
		// once Run has stopped.
		m.mu.Lock()
		for _, s := range m.syms {
			s.book.Reset()
		}
		m.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		if delivered {
			attempt = 1
		} else {
			attempt++
		}
	}
}

// session runs one connection until it fails, the watchdog closes it, or
// ctx ends; it reports whether the socket delivered anything.
func (m *MarketData) session(ctx context.Context) (delivered bool) {
	dctx, cancel := context.WithTimeout(ctx, mdDialTimeout)
	d := websocket.Dialer{HandshakeTimeout: mdDialTimeout, Proxy: websocket.DefaultDialer.Proxy}
	conn, resp, err := d.DialContext(dctx, m.url, nil)
	cancel()
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		m.cfg.Logger.Warn("market data: dial failed", "url", m.url, "err", err)
		return false
	}
	m.cfg.Logger.Info("market data: connected", "url", m.url)
	// The closer ends the read when ctx ends; the read ends the closer
	// when the socket fails. Neither outlives session.
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
		case <-done:
		}
		_ = conn.Close()
	}()
	defer func() {
		close(done)
		wg.Wait()
	}()

	// The watchdog is the read deadline: every frame, and every ping the
	// venue sends (it pings instead of talking in a quiet market), moves
	// it on; a socket silent past it fails its read and is redialled.
	alive := func() { _ = conn.SetReadDeadline(time.Now().Add(m.cfg.Silence)) }
	alive()
	conn.SetReadLimit(mdMaxFrame)
	conn.SetPingHandler(func(data string) error {
		alive()
		delivered = true
		m.pinged()
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		var ne net.Error
		if errors.Is(err, websocket.ErrCloseSent) || (errors.As(err, &ne) && ne.Timeout()) {
			return nil // as gorilla's own handler: the read will tell
		}
		return err
	})
	stopPing := startPinger(conn, m.cfg.Silence, func() {
		alive()
		m.pinged()
	})
	defer stopPing()
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() == nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					m.cfg.Logger.Warn("market data: stream silent, reconnecting", "silence", m.cfg.Silence)
				} else {
					m.cfg.Logger.Warn("market data: stream lost, reconnecting", "err", err)
				}
			}
			return delivered
		}
		alive()
		delivered = true
		m.handle(msg)
	}
}

// pinged counts a ping as news from every symbol on the socket: the venue
// pings a connection, not a stream.
func (m *MarketData) pinged() {
	now := m.cfg.Now()
	m.mu.Lock()
	m.lastFrame = now
	for _, s := range m.syms {
		s.lastMsg = now
	}
	m.mu.Unlock()
}

// snapshots fetches s's REST snapshot whenever its book waits for one,
// retrying with backoff while the answer is stale or the call fails.
func (m *MarketData) snapshots(ctx context.Context, s *mdSymbol) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.want:
		}
		for attempt := 1; m.resync(ctx, s); attempt++ {
			if !mdSleep(ctx, mdJitter(m.cfg.Backoff, m.cfg.MaxBackoff, attempt)) {
				return
			}
		}
	}
}

// resync fetches one snapshot for s if its book still needs one and hands
// it to the book; again reports whether to try again later.
func (m *MarketData) resync(ctx context.Context, s *mdSymbol) (again bool) {
	m.mu.Lock()
	need := s.book.NeedsSnapshot()
	m.mu.Unlock()
	if !need {
		return false
	}
	snap, err := m.api.Depth(ctx, s.symbol, m.cfg.SnapshotDepth)
	if err != nil {
		if ctx.Err() == nil {
			m.cfg.Logger.Warn("market data: depth snapshot failed", "symbol", s.symbol, "err", err)
		}
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch step := s.book.Snapshot(snap); step {
	case stepApplied:
		s.dirty, s.changed = true, m.cfg.Now()
		m.cfg.Logger.Info("market data: book in sync", "symbol", s.symbol, "lastUpdateId", snap.LastUpdateID)
		return false
	case stepGap:
		// The buffered events had a hole: buffering starts over, and the
		// next event asks for a new snapshot.
		m.resyncs++
		m.cfg.Logger.Warn("market data: buffered updates skip ids, resyncing", "symbol", s.symbol)
		return false
	default:
		m.cfg.Logger.Info("market data: snapshot older than the stream, fetching again", "symbol", s.symbol,
			"lastUpdateId", snap.LastUpdateID)
		return true
	}
}

// mdJitter is the pause before retry attempt n (n >= 1): uniformly drawn
// from [0, min(max, base<<(n-1))] ("full jitter"), so that many clients
// dropped together do not come back together.
func mdJitter(base, maxPause time.Duration, n int) time.Duration {
	d := maxPause
	if n < 63 && base <= maxPause>>(n-1) {
		d = base << (n - 1)
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// mdSleep waits d or until ctx ends; false means ctx ended.
func mdSleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// depthFrame is a depthUpdate event, raw or wrapped by a combined stream
// as {"stream":..,"data":{..}}. Every key the event has is named: json
// matches keys without regard to case, so an unnamed "E" would land in "e".
type depthFrame struct {
	Stream    string      `json:"stream"`
	Data      *depthFrame `json:"data"`
	Type      string      `json:"e"`
	EventTime int64       `json:"E"`
	Symbol    string      `json:"s"`
	First     int64       `json:"U"`
	Last      int64       `json:"u"`
	Bids      [][2]string `json:"b"`
	Asks      [][2]string `json:"a"`
}

// handle takes one frame off a socket. A frame it cannot read costs the
// book its sync: an update it did not apply is an update missed.
func (m *MarketData) handle(msg []byte) {
	var f depthFrame
	err := json.Unmarshal(msg, &f)
	if err == nil && f.Data != nil {
		f = *f.Data
	}
	now := m.cfg.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lastFrame = now
	if err == nil && f.Type != "depthUpdate" {
		return // not a depth event (a subscription answer, say)
	}
	s := m.byVenue[f.Symbol]
	if s == nil {
		if err != nil {
			m.cfg.Logger.Warn("market data: unreadable frame", "err", err)
		}
		return
	}
	s.lastMsg = now
	var u depthUpdate
	if err == nil {
		u = depthUpdate{First: f.First, Last: f.Last}
		u.Bids, err = parseLevels(f.Bids)
	}
	if err == nil {
		u.Asks, err = parseLevels(f.Asks)
	}
	if err != nil {
		m.cfg.Logger.Warn("market data: unreadable depth event, resyncing", "symbol", s.symbol, "err", err)
		m.resyncs++
		s.book.Reset()
		return
	}
	switch step, changed := s.book.Update(u); step {
	case stepBuffered:
		select {
		case s.want <- struct{}{}:
		default: // a fetch is already asked for
		}
	case stepGap:
		m.resyncs++
		m.cfg.Logger.Warn("market data: update ids skipped, resyncing", "symbol", s.symbol, "U", u.First, "u", u.Last)
	case stepApplied:
		if changed {
			s.dirty, s.changed = true, now
		}
	}
}

// parseLevels reads [price, quantity] string pairs exactly.
func parseLevels(raw [][2]string) ([]market.Level, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := make([]market.Level, len(raw))
	for i, r := range raw {
		p, err := money.Parse(r[0])
		if err != nil {
			return nil, fmt.Errorf("price: %w", err)
		}
		q, err := money.Parse(r[1])
		if err != nil {
			return nil, fmt.Errorf("quantity: %w", err)
		}
		if !p.IsPositive() || q.IsNegative() {
			return nil, fmt.Errorf("level [%s %s] out of range", r[0], r[1])
		}
		out[i] = market.Level{Price: p, Size: q}
	}
	return out, nil
}
