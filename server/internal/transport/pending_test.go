package transport

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/tap"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
)

// A call refused past the cap on calls waiting for their request names
// its reason, from the same enum as the service's errors.
func TestPendingCapNamesItsReason(t *testing.T) {
	aw := newAwaited(1, 1, time.Minute, security.NewToken("t"))
	from := peer.NewContext(context.Background(), &peer.Peer{Addr: &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 1}})
	info := &tap.Info{FullMethodName: tradingv1.TradingService_StartTrading_FullMethodName, Header: metadata.MD{}}
	held, err := aw.tap(from, info)
	if err != nil {
		t.Fatalf("the first waiting call: %v", err)
	}
	defer arrived(held)
	_, err = aw.tap(from, info)
	st := status.Convert(err)
	if got, _ := tradingv1.ReasonOf(st); got != tradingv1.ErrorReason_ERROR_REASON_TOO_MANY_PENDING_CALLS || st.Code() != got.Code() {
		t.Fatalf("past the waiting calls' cap: %v (reason %v)", err, got)
	}
}
