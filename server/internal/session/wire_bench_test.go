package session

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/internal/venueemu"
	"github.com/tradectl/tradectl/server/internal/store"
)

// BenchmarkDecisionToWire is the live order path from the strategy's
// decision to the order's bytes on the wire, with the real parts: the
// coordinator, the session's journal over the SQLite store (the order's
// synchronous write-ahead commit), the binance venue (rules check), its
// sender goroutine and go-binance's REST client (signing, encoding), sending
// to the rehearsal venue in this process over loopback.
//
// The clock starts when the strategy returns its decision and stops when
// the HTTP request for POST /api/v3/order is handed to the kernel (the
// connection's Write of its first bytes): that excludes the network, the
// venue's work and its answer. The figures are per order: p50/p99 of the
// whole, of the commit alone (the journal's Commit), and of the rest
// (risk, order book, venue checks, the hand-off to the sender goroutine,
// signing and encoding), and to-venue-p50/p99: until the venue recorded
// the request (loopback, its HTTP parsing and signature check included).
// ns/op is a whole round trip: the answer applied and the fill booked.
func BenchmarkDecisionToWire(b *testing.B) {
	for _, d := range []store.Durability{store.DurabilityProcess, store.DurabilityMachine} {
		b.Run(d.String(), func(b *testing.B) { benchDecisionToWire(b, d) })
	}
}

func benchDecisionToWire(b *testing.B, d store.Durability) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const key, secret = "bench-key", "bench-secret"
	emu, err := venueemu.New(venueemu.Config{Symbols: []string{"BTC-USD"}, APIKey: key, Secret: secret,
		Balances: map[string]money.Decimal{"USDT": money.FromInt(1_000_000_000), "BTC": money.FromInt(10_000)},
		Limits:   venueemu.Limits{WeightPerMinute: 1 << 40, OrdersPer10s: 1 << 40, OrdersPerDay: 1 << 40}})
	if err != nil {
		b.Fatal(err)
	}
	if err := emu.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer emu.Close()

	wire := make(chan time.Time, 1)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		return &wireConn{Conn: c, sent: wire}, err
	}}
	defer tr.CloseIdleConnections()
	rest, err := binance.NewREST(binance.Config{Endpoints: binance.EmulatorEndpoints(emu.URL()), Env: "emulator",
		Keys: binance.Keys{APIKey: binance.NewSecret(key), Secret: binance.NewSecret(secret)}, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		b.Fatal(err)
	}
	clock := binance.NewClock(rest, binance.Config{})
	if err := clock.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	rest.UseClock(clock)
	rules, _, err := rest.ExchangeInfo(ctx, []string{"BTC-USD"})
	if err != nil {
		b.Fatal(err)
	}
	depth, err := rest.Depth(ctx, "BTC-USD", 5)
	if err != nil || len(depth.Bids) == 0 || len(depth.Asks) == 0 {
		b.Fatalf("depth %+v: %v", depth, err)
	}
	v := binance.NewVenue(binance.VenueConfig{Quote: "USDT", Rules: rules, Check: binance.Rules.Check,
		Synced: func(string) bool { return true }, TakerBps: 10, MakerBps: 10})
	sender := binance.NewSender(rest, v, binance.SenderConfig{RecvWindow: rest.RecvWindow(), Clock: clock})
	v.SetSender(sender)
	done := make(chan struct{})
	go func() { defer close(done); _ = sender.Run(ctx) }()
	defer func() { cancel(); <-done }()

	st, err := store.Open(ctx, b.TempDir(), store.Options{Durability: d})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const id = "bench0123456789a"
	if err := st.CreateSession(ctx, store.SessionRecord{ID: id, State: store.StateRunning,
		SettingsJSON: []byte(`{"Mode":2,"Symbols":["BTC-USD"]}`), Started: time.Now()}); err != nil {
		b.Fatal(err)
	}
	j := &timedJournal{j: newJournal(st, id)}
	strat := &decider{}
	limits := risk.DefaultLimits()
	limits.MaxOrdersPerSecond, limits.MaxOrderNotional = 0, money.Decimal{}
	cash := money.FromInt(1_000_000_000)
	c, err := coordinator.New(coordinator.Config{OrderPrefix: id[:8], TickInterval: time.Second, Source: idleSource{},
		Venue: v, Strategy: strat, Portfolio: portfolio.New("USD", cash), Risk: risk.New(limits, cash),
		Orders: orders.NewBook(id, 100), Journal: j, IntentsPerSecond: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}

	ev := market.Event{Kind: market.EventBook, Symbol: "BTC-USD", Bid: depth.Bids[0].Price, Ask: depth.Asks[0].Price}
	beat := market.Event{Kind: market.EventHeartbeat}
	var total, commit, toVenue []time.Duration
	var decided []time.Time
	order := func(measure bool) {
		ev.Time = time.Now()
		c.OnEvent(&ev)
		sent := <-wire
		if measure {
			total = append(total, sent.Sub(strat.at))
			commit = append(commit, j.last)
			decided = append(decided, strat.at)
		}
		// The answer comes back on the sender's goroutine; the loop
		// applies it on its next event, as a heartbeat brings it.
		want := c.Stats().Orders
		for c.Stats().Fills < want {
			beat.Time = time.Now()
			c.OnEvent(&beat)
		}
		// A tick's end commits what it applied; here, off the next
		// order's commit, which then carries that order alone.
		if err := c.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
	for range 50 { // a warm connection, a warm store
		order(false)
	}
	before := len(emu.Ledger().Requests)
	b.ResetTimer()
	for b.Loop() {
		order(true)
	}
	b.StopTimer()
	if st := c.Stats(); st.Rejects != 0 || st.Dropped != 0 {
		b.Fatalf("%d rejected, %d dropped: the benchmark no longer measures orders sent", st.Rejects, st.Dropped)
	}
	reqs := emu.Ledger().Requests[before:]
	if len(reqs) != len(decided) {
		b.Fatalf("the venue recorded %d order requests, %d were sent", len(reqs), len(decided))
	}
	for i, r := range reqs {
		if !r.Accepted {
			b.Fatalf("the venue refused an order: %s", r.Verdict)
		}
		toVenue = append(toVenue, r.Time.Sub(decided[i]))
	}
	rest2 := make([]time.Duration, len(total))
	for i := range total {
		rest2[i] = total[i] - commit[i]
	}
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), name+"-p50-ns")
		b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds()), name+"-p99-ns")
	}
	report("wire", total)
	report("commit", commit)
	report("rest", rest2)
	report("venue", toVenue)
}

// wireConn notes when an order request's first bytes are written.
type wireConn struct {
	net.Conn
	sent chan<- time.Time
}

var orderRequest = []byte("POST /api/v3/order")

func (c *wireConn) Write(p []byte) (int, error) {
	if bytes.HasPrefix(p, orderRequest) {
		select {
		case c.sent <- time.Now():
		default:
		}
	}
	return c.Conn.Write(p)
}

// timedJournal measures the session journal's commit: for a write-ahead
// venue, the order's own commit before it is sent.
type timedJournal struct {
	j    *journal
	last time.Duration
}

func (t *timedJournal) Commit(ctx context.Context, tick *coordinator.Tick) error {
	start := time.Now()
	err := t.j.Commit(ctx, tick)
	t.last = time.Since(start)
	return err
}

// decider places one small market order per book event, alternating sides
// so the position stays flat, and notes when it decided.
type decider struct {
	n  int
	at time.Time
}

func (d *decider) OnEvent(ev *market.Event, _ strategy.Context, dst []strategy.Action) []strategy.Action {
	if ev.Kind != market.EventBook {
		return dst
	}
	d.n++
	side := venue.Buy
	if d.n%2 == 0 {
		side = venue.Sell
	}
	spec := venue.OrderSpec{Symbol: ev.Symbol, Side: side, Type: venue.Market, TIF: venue.IOC, Quantity: money.MustParse("0.001")}
	d.at = time.Now()
	return append(dst, strategy.Action{Kind: strategy.ActionPlace, Order: spec})
}

// idleSource has no events: the benchmark hands them to the loop itself.
type idleSource struct{}

func (idleSource) Next(context.Context, time.Time) (market.Event, bool, error) {
	return market.Event{}, false, nil
}
