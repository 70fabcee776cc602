package binance

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// instantAPI accepts every order and cancel at once and counts them.
type instantAPI struct {
	fAPI
	mu      sync.Mutex
	posts   map[string]int
	cancels map[string]int
	// cancelErr, while set, is every cancel's answer.
	cancelErr error
}

func newInstantAPI() *instantAPI {
	return &instantAPI{posts: map[string]int{}, cancels: map[string]int{}}
}

func (a *instantAPI) Place(_ context.Context, o OrderRequest) (OrderUpdate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.posts[o.ClientID]++
	return OrderUpdate{Symbol: o.Spec.Symbol, ClientID: o.ClientID, Status: StatusNew}, nil
}

func (a *instantAPI) Cancel(_ context.Context, symbol, clientID string) (OrderUpdate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cancels[clientID]++
	if a.cancelErr != nil {
		return OrderUpdate{}, a.cancelErr
	}
	return OrderUpdate{Symbol: symbol, ClientID: clientID, Status: StatusCanceled}, nil
}

func (a *instantAPI) count(m map[string]int, id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return m[id]
}

// steadyClock is a clock in sync with the venue.
type steadyClock struct{}

func (steadyClock) Offset() time.Duration      { return 0 }
func (steadyClock) RTT() time.Duration         { return time.Millisecond }
func (steadyClock) Sync(context.Context) error { return nil }
func (steadyClock) Health(time.Time) Health    { return Health{Name: "clock", Level: Healthy} }

func runSender(t *testing.T, api API, sink Sink, cfg SenderConfig) (*Sender, func()) {
	t.Helper()
	cfg.RecvWindow, cfg.Clock = time.Second, steadyClock{}
	s := NewSender(api, sink, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx) }()
	return s, func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// A long session's sender must not keep every client id it ever sent:
// its memory grew by one entry per order, for the session's life. The
// recent ids still guard against a second send.
func TestSenderMemoryOfSentIDsIsBounded(t *testing.T) {
	defer goleak.VerifyNone(t)
	api, sink := newInstantAPI(), newFakeSink()
	s, stop := runSender(t, api, sink, SenderConfig{})
	defer stop()
	const bound = 8
	s.mu.Lock()
	s.seen = newIDSet(bound)
	s.mu.Unlock()
	ids := make([]string, 5*bound)
	for i := range ids {
		ids[i] = "c" + string(rune('A'+i))
		if !s.Place(orderReq(ids[i])) {
			t.Fatal("queue full")
		}
		sink.wait(t, "update "+ids[i])
	}
	s.mu.Lock()
	n := s.seen.len()
	s.mu.Unlock()
	if n > bound {
		t.Fatalf("the sender remembers %d client ids after %d orders, want at most %d", n, len(ids), bound)
	}
	last := ids[len(ids)-1]
	s.Place(orderReq(last)) // dropped: seen recently
	s.Place(orderReq("cZZ"))
	sink.wait(t, "update cZZ")
	if c := api.count(api.posts, last); c != 1 {
		t.Fatalf("a recent client id was sent %d times", c)
	}
}

// While the venue fails, a cancel is retried on its own; each further
// cancel of the same order (a strategy asks once a second) started one
// more retry loop, each sending its own requests until the venue answered:
// an outage of an hour left thousands of loops spending the venue's
// request weight. The order's one retry loop is its answer.
func TestSenderRetriesACancelInOneLoopPerOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	api, sink := newInstantAPI(), newFakeSink()
	api.cancelErr = &APIError{HTTPStatus: 503, Msg: "Service Unavailable"}
	// The first retry waits an hour: every request the venue sees within
	// the test comes from a cancel handed over, not from a retry.
	s, stop := runSender(t, api, sink, SenderConfig{Backoff: time.Hour, MaxBackoff: time.Hour})
	defer stop()
	for i := range 5 {
		if !s.Cancel("BTC-USD", "c1") {
			t.Fatal("queue full")
		}
		// Queue order: once p<i> is answered, the cancel before it ran.
		p := "p" + string(rune('0'+i))
		s.Place(orderReq(p))
		sink.wait(t, "update "+p)
	}
	if n := api.count(api.cancels, "c1"); n != 1 {
		t.Fatalf("the venue saw %d cancels of one order while its first was being retried, want 1", n)
	}
}
