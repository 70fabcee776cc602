package binance

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// lateAPI is a venue whose answer to an order is lost (a timeout) and
// that has the order only once arrived is set: before, it knows no such
// order (-2013 to a query, -2011 to a cancel).
type lateAPI struct {
	fAPI
	mu      sync.Mutex
	arrived bool
	cancels int // cancels the venue executed
	refused int // cancels answered "Unknown order sent."
	// firstRefusal is closed at the first such answer.
	firstRefusal chan struct{}
}

func (a *lateAPI) Place(context.Context, OrderRequest) (OrderUpdate, error) {
	return OrderUpdate{}, errors.New("read tcp: i/o timeout")
}

func (a *lateAPI) Query(_ context.Context, symbol, clientID string) (OrderUpdate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.arrived {
		return OrderUpdate{}, &APIError{HTTPStatus: 400, Code: -2013, Msg: "Order does not exist."}
	}
	st := StatusNew
	if a.cancels > 0 {
		st = StatusCanceled
	}
	return OrderUpdate{Symbol: symbol, ClientID: clientID, OrderID: 7, Status: st}, nil
}

func (a *lateAPI) Cancel(_ context.Context, symbol, clientID string) (OrderUpdate, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.arrived {
		if a.refused++; a.refused == 1 {
			close(a.firstRefusal)
		}
		return OrderUpdate{}, &APIError{HTTPStatus: 400, Code: -2011, Msg: "Unknown order sent."}
	}
	a.cancels++
	return OrderUpdate{Symbol: symbol, ClientID: clientID, OrderID: 7, Status: StatusCanceled}, nil
}

func (a *lateAPI) get() (refused, cancels int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refused, a.cancels
}

// An order whose answer was lost is cancelled (a stop cancels every open
// order) before it reaches the venue: the venue knows no such order yet,
// and the sender is already asking about it. When it turns up open, the
// cancel must follow: it was dropped, and the order rested at the venue
// after the stop had asked for it to go (the stop failed with it
// unsettled).
func TestSenderCancelOfAnOrderBeingAskedAboutIsNotLost(t *testing.T) {
	defer goleak.VerifyNone(t)
	api, sink := &lateAPI{firstRefusal: make(chan struct{})}, newFakeSink()
	// A long margin: the order is not judged never sent during the test.
	s, stop := runSender(t, api, sink, SenderConfig{Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		Margin: time.Minute})
	defer stop()
	s.Place(orderReq("c1"))
	s.Cancel("BTC-USD", "c1")
	select {
	case <-api.firstRefusal:
	case <-time.After(10 * time.Second):
		t.Fatal("the cancel never reached the venue")
	}
	api.mu.Lock()
	api.arrived = true
	api.mu.Unlock()
	// The question finds the order open (NEW); the cancel follows.
	ups := sink.waitUpdates(t, "c1", 2)
	if _, cancels := api.get(); cancels != 1 || ups[1].Status != StatusCanceled {
		t.Fatalf("the order turned up open and was not cancelled: %d cancels executed, updates %+v", cancels, ups)
	}
}
