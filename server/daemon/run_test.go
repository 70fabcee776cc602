package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/session"
)

// brokenListener fails its first Accept, as a listener whose socket went
// away would.
type brokenListener struct{ net.Listener }

var errListenerBroke = errors.New("listener broke")

func (brokenListener) Accept() (net.Conn, error) { return nil, errListenerBroke }

// A server that fails ends the run group: every actor stops, the store is
// closed, and Run returns that server's error, without any signal.
func TestAFailedServerStopsTheDaemon(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	var logs e2e.SyncBuffer
	st := openStore(t, t.TempDir())
	d := New(Config{Listener: brokenListener{lis}, Token: security.NewToken(testToken), HealthInterval: 300 * time.Second,
		ShutdownTimeout: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil)), session: session.Options{Store: st}})
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background()) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the daemon kept running after its gRPC server failed")
	}
	if !errors.Is(err, errListenerBroke) || !strings.Contains(err.Error(), "grpc server") {
		t.Fatalf("Run = %v, want the gRPC server's error", err)
	}
	if l := logs.String(); !strings.Contains(l, "server failed; shutting down") || !strings.Contains(l, "tradingd stopped") {
		t.Fatalf("log does not tell the failure and the stop:\n%s", l)
	}
	if _, err := st.ListAudit(context.Background(), 0); err == nil {
		t.Fatal("the store is still open after Run returned")
	}
}
