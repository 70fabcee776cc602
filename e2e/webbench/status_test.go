package webbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/daemon"
)

const statusPhase = 2 * time.Second

// BenchmarkGetStatusHTTPVsGRPC calls GetStatus on one daemon (every
// interceptor, a session running; in this process, as
// e2e/load's BenchmarkGetStatusVsFloor does) through its two doors: native
// gRPC, and the dashboard's port as a browser calls it (Connect, binary,
// the login cookie, over plaintext HTTP/1.1 keep-alive on loopback),
// transcoded by vanguard into the same grpc.Server. First one caller at a
// time (the per-call latency a page sees: p50, p99), then 16 callers at
// once (calls/s, p99; over HTTP/1.1 each holds its own connection, within
// the dashboard's 32 per peer), alternating the two doors twice.
func BenchmarkGetStatusHTTPVsGRPC(b *testing.B) {
	tok := "webbench-status-token-0123456789"
	tokFile := b.TempDir() + "/token"
	if err := os.WriteFile(tokFile, []byte(tok+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	token, err := daemon.LoadOrCreateToken(tokFile)
	if err != nil {
		b.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hlis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	// Unlimited: the benchmark measures the daemon, not its rate limit.
	d := daemon.New(daemon.Config{Listener: lis, HTTPListener: hlis, Token: token, HealthInterval: time.Second,
		Limits: daemon.Limits{ControlRate: daemon.Rate{Off: true}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	defer func() { cancel(); <-done }()

	authed := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
	conns := make([]*grpc.ClientConn, 4)
	for i := range conns {
		c, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	if _, err := tradingv1.NewTradingServiceClient(conns[0]).StartTrading(authed, &tradingv1.StartTradingRequest{
		Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Symbols: []string{"BTC-USD", "ETH-USD", "SOL-USD"},
			TickInterval: durationpb.New(100 * time.Millisecond)}}); err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxConnsPerHost: 16, MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	base := "http://" + hlis.Addr().String()
	ck := login(b, hc, base, tok)
	body, _ := proto.Marshal(&tradingv1.GetStatusRequest{})

	grpcCall := func(w int) error {
		_, err := tradingv1.NewTradingServiceClient(conns[w%len(conns)]).GetStatus(authed, &tradingv1.GetStatusRequest{})
		return err
	}
	httpCall := func(int) error {
		req, _ := http.NewRequest(http.MethodPost, base+rpcPrefix+"GetStatus", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/proto")
		req.Header.Set("Connect-Protocol-Version", "1")
		req.AddCookie(ck)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GetStatus over HTTP: %s %s", resp.Status, b)
		}
		if err == nil {
			err = proto.Unmarshal(b, &tradingv1.GetStatusResponse{})
		}
		return err
	}
	var g1, h1, g16, h16 harness.Phase
	for b.Loop() {
		for range 2 {
			g1.Add(harness.Drive(b, 1, statusPhase, grpcCall))
			h1.Add(harness.Drive(b, 1, statusPhase, httpCall))
			g16.Add(harness.Drive(b, 16, statusPhase, grpcCall))
			h16.Add(harness.Drive(b, 16, statusPhase, httpCall))
		}
	}
	b.ReportMetric(harness.Ms(harness.Pct(g1.Lat, 0.5)), "grpc-p50-ms")
	b.ReportMetric(harness.Ms(harness.Pct(h1.Lat, 0.5)), "http-p50-ms")
	b.ReportMetric(harness.Ms(harness.Pct(g1.Lat, 0.99)), "grpc-p99-ms")
	b.ReportMetric(harness.Ms(harness.Pct(h1.Lat, 0.99)), "http-p99-ms")
	b.ReportMetric(g16.RPS(), "grpc16-calls/s")
	b.ReportMetric(h16.RPS(), "http16-calls/s")
	b.ReportMetric(h16.RPS()/g16.RPS(), "http/grpc")
	b.ReportMetric(harness.Ms(harness.Pct(g16.Lat, 0.99)), "grpc16-p99-ms")
	b.ReportMetric(harness.Ms(harness.Pct(h16.Lat, 0.99)), "http16-p99-ms")
}
