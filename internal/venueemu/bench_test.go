package venueemu

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	binance "github.com/adshao/go-binance/v2"
	"github.com/gorilla/websocket"

	"github.com/tradectl/tradectl/internal/money"
)

func startB(b *testing.B, cfg Config) *Emulator {
	cfg.Symbols, cfg.APIKey, cfg.Secret = []string{"BTC-USD"}, testKey, testSecret
	cfg.Balances = map[string]money.Decimal{"USDT": money.FromInt(1_000_000_000)}
	if cfg.Step == 0 {
		cfg.Step = time.Hour
	}
	cfg.Limits = Limits{WeightPerMinute: 1 << 40, OrdersPer10s: 1 << 40, OrdersPerDay: 1 << 40}
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	return e
}

// BenchmarkPlaceAndCancel is one resting order placed and cancelled by
// go-binance over loopback: signing, HTTP, the venue's checks, the
// engine, the ledger. What a rehearsal costs per order, not the network.
func BenchmarkPlaceAndCancel(b *testing.B) {
	e := startB(b, Config{})
	c := binance.NewClient(testKey, testSecret)
	c.BaseURL = e.URL()
	ctx := context.Background()
	e.ex.mu.Lock()
	low := e.ex.syms["BTCUSDT"].last.Bid.Sub(money.FromInt(1000)).String()
	e.ex.mu.Unlock()
	b.ResetTimer()
	for i := range b.N {
		id := "b-" + strconv.Itoa(i)
		if _, err := c.NewCreateOrderService().Symbol("BTCUSDT").Side(binance.SideTypeBuy).Type(binance.OrderTypeLimit).
			TimeInForce(binance.TimeInForceTypeGTC).Quantity("0.001").Price(low).NewClientOrderID(id).Do(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := c.NewCancelOrderService().Symbol("BTCUSDT").OrigClientOrderID(id).Do(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStreamConnMemory is the memory a depth stream connection holds
// on the venue's side (its queue, buffers and two goroutines), measured
// over 200 connections.
func BenchmarkStreamConnMemory(b *testing.B) {
	e := startB(b, Config{})
	const n = 200
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		conns := make([]*websocket.Conn, 0, n)
		for range n {
			ws, _, err := websocket.DefaultDialer.Dial(e.WSURL()+"/ws/btcusdt@depth@100ms", nil)
			if err != nil {
				b.Fatal(err)
			}
			conns = append(conns, ws)
		}
		for {
			e.ex.mu.Lock()
			subs := len(e.ex.depthSubs)
			e.ex.mu.Unlock()
			if subs == n {
				break
			}
			time.Sleep(time.Millisecond)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		// Both ends live in this process: the client's share is included.
		b.ReportMetric(float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse)/n, "bytes/conn-both-ends")
		for _, ws := range conns {
			_ = ws.Close()
		}
		for { // gone on the venue's side too, before the next measure
			e.ex.mu.Lock()
			subs := len(e.ex.depthSubs)
			e.ex.mu.Unlock()
			if subs == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
}
