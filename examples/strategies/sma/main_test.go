package main

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func TestRunRefusesBadFlagsBeforeDialing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "token")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fast", "0"}, "--fast"},
		{[]string{"--fast", "5", "--slow", "5"}, "--slow"},
		{[]string{"--slow", "501"}, "at most 500"},
		{[]string{"--notional", "1e3"}, "--notional"},
		{[]string{"--notional", "-1"}, "--notional"},
		{[]string{"--token-file", missing, "--symbols", "BTC-USD,,ETH-USD"}, "--symbols"},
		{[]string{"--token-file", missing}, missing},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		err := run(context.Background(), tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %q = %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

// refusing is a StrategyService that records who attached and refuses
// them as no session waits for the name, as the daemon would.
type refusing struct {
	tradingv1.UnimplementedStrategyServiceServer
	got chan string
}

func (r *refusing) RunStrategy(st grpc.BidiStreamingServer[tradingv1.RunStrategyRequest, tradingv1.RunStrategyResponse]) error {
	md, _ := metadata.FromIncomingContext(st.Context())
	req, err := st.Recv()
	if err != nil {
		return err
	}
	h := req.GetHello()
	r.got <- strings.Join(md.Get("authorization"), ",") + " " + h.GetName() + " " + h.GetParams()["slow"] +
		" " + strings.Join(h.GetSymbols(), ",")
	return tradingv1.ErrorReason_ERROR_REASON_STRATEGY_NOT_EXPECTED.Status("no session waits for "+h.GetName(), nil).Err()
}

// The program sends the token file's token and its flags in the hello,
// and reports the daemon's refusal.
func TestRunAttachesWithTheTokenFile(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	svc := &refusing{got: make(chan string, 1)}
	tradingv1.RegisterStrategyServiceServer(srv, svc)
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.Serve(lis) }()
	defer func() { srv.Stop(); <-served }()
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"--addr", lis.Addr().String(), "--token-file", token,
		"--name", "mine", "--slow", "30", "--symbols", "BTC-USD,ETH-USD"}, io.Discard)
	if status.Code(err) != codes.NotFound {
		t.Fatalf("run = %v, want the daemon's NOT_FOUND", err)
	}
	if got, want := <-svc.got, "Bearer s3cret mine 30 BTC-USD,ETH-USD"; got != want {
		t.Fatalf("the server saw %q, want %q", got, want)
	}
}
