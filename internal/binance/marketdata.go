package binance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tradectl/tradectl/internal/market"
)

// MarketDataConfig says which books to keep and how to judge the streams.
// Zero durations and counts take the defaults below; negative ones are
// refused.
type MarketDataConfig struct {
	// Stream is the venue's market data endpoint (Endpoints.Stream).
	Stream string
	// Symbols are ours (BTC-USD), mapped to the venue's by Map.
	Symbols []string
	Map     SymbolMap
	// Levels is how many levels per side an EventBook carries (default 20).
	Levels int
	// SnapshotDepth is the limit of GET /api/v3/depth (default 1000; its
	// weight grows with it).
	SnapshotDepth int
	// Heartbeat: Next returns an EventHeartbeat when it returned nothing
	// else for this long (default 100ms), so that a quiet market still
	// turns the loop and the venue's reports reach it.
	Heartbeat time.Duration
	// Silence is how long a socket may stay silent (no frame, not even a
	// ping) before the watchdog closes it and redials (default 2s). Health
	// is DEGRADED for a symbol silent this long, UNHEALTHY for a socket
	// silent three times that.
	Silence time.Duration
	// Backoff and MaxBackoff bound the pause before a redial or a snapshot
	// retry: exponential from Backoff, capped, with full jitter (defaults
	// 250ms and 30s).
	Backoff, MaxBackoff time.Duration
	Logger              *slog.Logger
	// Now stamps messages and judges their age (default time.Now). The
	// watchdog itself runs on the socket's read deadline, in real time.
	Now func() time.Time
}

// The defaults of MarketDataConfig.
const (
	DefaultBookLevels     = 20
	DefaultSnapshotDepth  = 1000
	DefaultHeartbeat      = 100 * time.Millisecond
	DefaultSilence        = 2 * time.Second
	DefaultBackoff        = 250 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	maxSnapshotDepth      = 5000 // the venue's own limit
	maxStreams            = 1024 // per socket, the venue's limit
	depthStreamSuffix     = "@depth@100ms"
	unhealthySilenceTimes = 3
)

func (c MarketDataConfig) withDefaults() (MarketDataConfig, error) {
	if c.Stream == "" {
		return c, errors.New("binance: market data needs the stream endpoint")
	}
	if len(c.Symbols) == 0 {
		return c, errors.New("binance: market data needs at least one symbol")
	}
	if c.Map.Quote == "" {
		return c, errors.New("binance: market data needs the symbol map's quote asset")
	}
	for _, f := range []struct {
		name string
		v    int64
		def  int64
		set  func(int64)
	}{
		{"levels", int64(c.Levels), DefaultBookLevels, func(v int64) { c.Levels = int(v) }},
		{"snapshot depth", int64(c.SnapshotDepth), DefaultSnapshotDepth, func(v int64) { c.SnapshotDepth = int(v) }},
		{"heartbeat", int64(c.Heartbeat), int64(DefaultHeartbeat), func(v int64) { c.Heartbeat = time.Duration(v) }},
		{"silence", int64(c.Silence), int64(DefaultSilence), func(v int64) { c.Silence = time.Duration(v) }},
		{"backoff", int64(c.Backoff), int64(DefaultBackoff), func(v int64) { c.Backoff = time.Duration(v) }},
		{"max backoff", int64(c.MaxBackoff), int64(DefaultMaxBackoff), func(v int64) { c.MaxBackoff = time.Duration(v) }},
	} {
		switch {
		case f.v < 0:
			return c, fmt.Errorf("binance: market data %s %d is negative", f.name, f.v)
		case f.v == 0:
			f.set(f.def)
		}
	}
	if c.SnapshotDepth > maxSnapshotDepth {
		return c, fmt.Errorf("binance: snapshot depth %d above the venue's limit %d", c.SnapshotDepth, maxSnapshotDepth)
	}
	if c.MaxBackoff < c.Backoff {
		return c, fmt.Errorf("binance: max backoff %v below backoff %v", c.MaxBackoff, c.Backoff)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

var _ market.Source = (*MarketData)(nil)

// MarketData keeps a local order book per symbol from the venue's depth
// streams and serves them to the loop as a market.Source. Run works the
// network; Next, Synced and Health never wait on it.
type MarketData struct {
	api     API
	cfg     MarketDataConfig
	url     string
	running atomic.Bool

	mu         sync.Mutex
	syms       []*mdSymbol
	byVenue    map[string]*mdSymbol // BTCUSDT
	bySymbol   map[string]*mdSymbol // BTC-USD
	reconnects int64
	resyncs    int64
	lastFrame  time.Time // the socket's last frame or ping
	started    time.Time // since when silence counts

	// The loop's side, touched only by Next.
	lastEmit, lastTime time.Time
	out                market.Book
}

// mdSymbol is one symbol's book and what its stream did; guarded by
// MarketData.mu except want, a one-slot "fetch a snapshot" signal.
type mdSymbol struct {
	symbol, venue string
	book          *depthBook
	dirty         bool      // the top levels changed since Next last showed them
	changed       time.Time // when they last changed
	lastMsg       time.Time // last depth event or ping on its socket
	want          chan struct{}
}

// NewMarketData checks cfg and prepares the books; Run starts the streams.
func NewMarketData(api API, cfg MarketDataConfig) (*MarketData, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if api == nil {
		return nil, errors.New("binance: market data needs the REST API for its snapshots")
	}
	if len(cfg.Symbols) > maxStreams {
		return nil, fmt.Errorf("binance: market data: %d symbols, the venue allows %d streams on a socket", len(cfg.Symbols), maxStreams)
	}
	m := &MarketData{api: api, cfg: cfg, started: cfg.Now(),
		byVenue: make(map[string]*mdSymbol), bySymbol: make(map[string]*mdSymbol)}
	streams := make([]string, 0, len(cfg.Symbols))
	for _, sym := range cfg.Symbols {
		v, err := cfg.Map.ToVenue(sym)
		if err != nil {
			return nil, fmt.Errorf("binance: market data: %w", err)
		}
		if m.bySymbol[sym] != nil {
			return nil, fmt.Errorf("binance: market data: symbol %s given twice", sym)
		}
		s := &mdSymbol{symbol: sym, venue: v, book: newDepthBook(cfg.Levels), want: make(chan struct{}, 1)}
		m.syms = append(m.syms, s)
		m.byVenue[v], m.bySymbol[sym] = s, s
		streams = append(streams, strings.ToLower(v)+depthStreamSuffix)
	}
	base := strings.TrimSuffix(cfg.Stream, "/")
	if len(streams) == 1 {
		m.url = base + "/ws/" + streams[0]
	} else {
		m.url = base + "/stream?streams=" + strings.Join(streams, "/")
	}
	return m, nil
}

// Synced reports whether symbol's book follows the venue's. Orders on a
// symbol whose book is not in sync must not be placed.
func (m *MarketData) Synced(symbol string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.bySymbol[symbol]
	return s != nil && s.book.Synced()
}

// Next returns, without waiting, an EventBook for the symbol whose shown
// levels changed the longest ago among the books in sync, or else an
// EventHeartbeat when Next returned nothing for Heartbeat. Changes are
// conflated: a book changed ten times between two calls is shown once, as
// it is now. Event times are the local receipt times, kept at or before
// until and never going backwards. Event.Book is valid until the next
// call.
func (m *MarketData) Next(ctx context.Context, until time.Time) (market.Event, bool, error) {
	if err := ctx.Err(); err != nil {
		return market.Event{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		var pick *mdSymbol
		for _, s := range m.syms {
			if s.dirty && s.book.Synced() && (pick == nil || s.changed.Before(pick.changed)) {
				pick = s
			}
		}
		if pick == nil {
			break
		}
		pick.dirty = false
		bid, ask, ok := pick.book.Best()
		if !ok {
			continue // a side is empty: there is no quote to show
		}
		pick.book.Top(&m.out, m.cfg.Levels)
		m.lastEmit = until
		return market.Event{Kind: market.EventBook, Symbol: pick.symbol, Time: m.stamp(pick.changed, until),
			Bid: bid, Ask: ask, Book: &m.out}, true, nil
	}
	if until.Sub(m.lastEmit) < m.cfg.Heartbeat {
		return market.Event{}, false, nil
	}
	m.lastEmit = until
	return market.Event{Kind: market.EventHeartbeat, Time: m.stamp(until, until)}, true, nil
}

// stamp keeps event times at or before until and monotonic.
func (m *MarketData) stamp(t, until time.Time) time.Time {
	if t.After(until) {
		t = until
	}
	if t.Before(m.lastTime) {
		t = m.lastTime
	}
	m.lastTime = t
	return t
}

// Health judges the streams: UNHEALTHY when the socket delivered nothing
// (no frame, no ping) for three times Silence, which the watchdog's
// redials did not cure; DEGRADED when a book is not in sync (it must not be
// traded on) or a symbol had no depth event for Silence. The venue sends a
// symbol's event only when its book changes, so the latter may also be a
// quiet pair on a live socket, which is why it is no more than DEGRADED.
// The reason names each symbol at fault and counts reconnects and resyncs.
// LastProgress is the socket's last frame or ping.
func (m *MarketData) Health(now time.Time) Health {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := Health{Name: "market_data", Level: Healthy, LastProgress: m.lastFrame}
	var faults []string
	silent := func(last time.Time) (string, bool) {
		if last.IsZero() {
			age := now.Sub(m.started)
			return fmt.Sprintf("no message in %v", age.Round(time.Millisecond)), age > m.cfg.Silence
		}
		age := now.Sub(last)
		return fmt.Sprintf("no message for %v", age.Round(time.Millisecond)), age > m.cfg.Silence
	}
	streamDead := false
	if last := m.lastFrame; (last.IsZero() && now.Sub(m.started) > unhealthySilenceTimes*m.cfg.Silence) ||
		(!last.IsZero() && now.Sub(last) > unhealthySilenceTimes*m.cfg.Silence) {
		why, _ := silent(last)
		h.Level, streamDead = Unhealthy, true
		faults = append(faults, "stream: "+why)
	}
	for _, s := range m.syms {
		if why, old := silent(s.lastMsg); old && !streamDead {
			h.Level = max(h.Level, Degraded)
			faults = append(faults, s.symbol+": "+why)
		}
		if !s.book.Synced() {
			h.Level = max(h.Level, Degraded)
			faults = append(faults, s.symbol+": book not in sync")
		}
	}
	counts := fmt.Sprintf("%d reconnects, %d resyncs", m.reconnects, m.resyncs)
	if len(faults) == 0 {
		h.Reason = fmt.Sprintf("%d books in sync; %s", len(m.syms), counts)
	} else {
		h.Reason = strings.Join(faults, "; ") + "; " + counts
	}
	return h
}
