package binance

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// fuzzSink keeps what a stream handed over.
type fuzzSink struct {
	mu      sync.Mutex
	updates []OrderUpdate
}

func (s *fuzzSink) Update(u OrderUpdate) {
	s.mu.Lock()
	s.updates = append(s.updates, u)
	s.mu.Unlock()
}
func (s *fuzzSink) Balances([]Balance)  {}
func (s *fuzzSink) Halt(string, string) {}
func (s *fuzzSink) Resume(string)       {}

// FuzzUserStreamEvent feeds the user stream whatever a venue (or a man in
// the middle of a broken proxy) could send: it must never panic, and what
// it hands the loop's side is one of our symbols with a sane trade.
func FuzzUserStreamEvent(f *testing.F) {
	f.Add([]byte(`{"subscriptionId":1,"event":{"e":"executionReport","E":1,"s":"BTCUSDT","c":"abc-1","S":"BUY","o":"LIMIT","f":"GTC","q":"1.00000000","p":"100.00","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":7,"l":"0.5","z":"0.5","L":"100.00","n":"0.05","N":"USDT","T":2,"t":9,"m":true,"O":1,"Z":"50","Y":"50","Q":"0"}}`))
	f.Add([]byte(`{"subscriptionId":1,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[{"a":"BTC","f":"1","l":"0"}]}}`))
	f.Add([]byte(`{"subscriptionId":1,"event":{"e":"balanceUpdate","a":"USDT","d":"-99999999999","T":1}}`))
	f.Add([]byte(`{"subscriptionId":1,"event":{"e":"eventStreamTerminated","E":1}}`))
	f.Add([]byte(`{"subscriptionId":1,"event":{"e":"executionReport","s":"BTCUSDT","x":"TRADE","l":"92233720368","L":"92233720368","z":"1e9"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sink := &fuzzSink{}
		u, err := NewUserStream(UserStreamConfig{WSAPI: "ws://127.0.0.1:1/ws-api/v3",
			Keys: Keys{APIKey: NewSecret("k"), Secret: NewSecret("s")}, Map: SymbolMap{Quote: "USDT"}, Sink: sink})
		if err != nil {
			t.Fatal(err)
		}
		_ = u.handle(1, data) // an error ends the session; a panic would end the daemon
		for _, up := range sink.updates {
			if _, err := (SymbolMap{Quote: "USDT"}).ToVenue(up.Symbol); err != nil {
				t.Fatalf("an update for %q, not one of our symbols: %v", up.Symbol, err)
			}
			if tr := up.Trade; tr != nil && (!tr.Quantity.IsPositive() || !tr.Price.IsPositive() || tr.Fee.IsNegative()) {
				t.Fatalf("a trade that cannot be: %+v", *tr)
			}
		}
	})
}

// FuzzDepthFrames feeds market data arbitrary frames (one per line): no
// frame may panic it, and a book it shows is never crossed or empty.
func FuzzDepthFrames(f *testing.F) {
	f.Add([]byte(`{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["100.00","1"]],"a":[["101.00","2"]]}` + "\n" +
		`{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":2,"s":"BTCUSDT","U":3,"u":3,"b":[["100.00","0"]],"a":[]}}`))
	f.Add([]byte(`{"e":"depthUpdate","s":"BTCUSDT","U":5,"u":4,"b":[["92233720368","1"]],"a":[["0.00000001","92233720368"]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		now := time.Unix(1_700_000_000, 0)
		m, err := NewMarketData(fuzzDepthAPI{}, MarketDataConfig{Stream: "ws://127.0.0.1:1", Symbols: []string{"BTC-USD"},
			Map: SymbolMap{Quote: "USDT"}, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		s := m.bySymbol["BTC-USD"]
		s.book.Snapshot(DepthSnapshot{LastUpdateID: 0,
			Bids: []market.Level{{Price: money.FromInt(100), Size: money.FromInt(1)}},
			Asks: []market.Level{{Price: money.FromInt(101), Size: money.FromInt(1)}}})
		for _, frame := range bytes.Split(data, []byte("\n")) {
			m.handle(frame)
			now = now.Add(time.Second)
			for {
				ev, ok, err := m.Next(context.Background(), now)
				if err != nil || !ok || ev.Kind != market.EventBook {
					break
				}
				if !ev.Bid.IsPositive() || !ev.Ask.IsPositive() {
					t.Fatalf("a book event with an empty side: %+v", ev)
				}
			}
		}
	})
}

// fuzzDepthAPI is never called: the fuzzer feeds frames, not sockets.
type fuzzDepthAPI struct{ API }
