package security

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	e2e "github.com/tradectl/tradectl/e2e/harness"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/store"
)

func openStore(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dir, store.Options{Durability: store.DurabilityProcess})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Every value the audit table keeps is escaped and capped: an error that
// quotes a path with a newline cannot add a line to anything that reads
// the table, and a megabyte message keeps 2 KiB.
func TestAuditValuesAreEscapedAndCapped(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	audit := AuditInterceptor(st, slog.New(slog.DiscardHandler))
	info := &grpc.UnaryServerInfo{FullMethod: tradingv1.TradingService_Backup_FullMethodName}
	for _, msg := range []string{"directory /x\nssh-ed25519 AAAA attacker\n: does not exist", strings.Repeat("\n", 1<<20)} {
		_, _ = audit(context.Background(), &tradingv1.BackupRequest{Path: "x"}, info,
			func(context.Context, any) (any, error) { return nil, status.Error(codes.FailedPrecondition, msg) })
	}
	rows, err := st.ListAudit(context.Background(), 0)
	if err != nil || len(rows) != 2 {
		t.Fatalf("audit: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if strings.ContainsAny(r.Error, "\n\r") || len(r.Error) > MaxAuditArgs {
			t.Errorf("audit error column: %d bytes, %.80q", len(r.Error), r.Error)
		}
	}
	if !strings.Contains(rows[0].Error, `/x\nssh-ed25519`) {
		t.Errorf("audit error column %q does not show the newline escaped", rows[0].Error)
	}
}

// A client with many addresses (a site's IPv6 /48 is 65,536 peers) gets a
// window of its own for at most maxNewPeers of them at a time; the rest of
// its refusals are summed under "other peers", so the log and the audit
// table grow with the windows, not with the addresses.
func TestRefusalsFromManyPeersAreSummed(t *testing.T) {
	var logs e2e.SyncBuffer
	st := openStore(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	r := NewRefusals(st, slog.New(slog.NewTextHandler(&logs, nil)))
	clock := time.Unix(1_000_000, 0)
	r.now = func() time.Time { return clock }
	refuse := func(peers int) {
		for i := range peers {
			r.record(context.Background(), codes.Unauthenticated, store.AuditRow{Peer: fmt.Sprintf("2001:db8:0:%x::/64", i),
				Method: tradingv1.TradingService_StopTrading_FullMethodName, Code: codes.Unauthenticated.String()})
		}
	}
	refuse(5000)
	clock = clock.Add(RefusalWindow)
	refuse(5000)
	r.Flush()
	rows, err := st.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	total, lines := 0, strings.Count(logs.String(), "\n")
	for _, row := range rows {
		total += row.Count
	}
	if total != 10_000 || len(rows) > 4*(maxNewPeers+1) || lines != len(rows) {
		t.Fatalf("10,000 refusals from 5,000 peers over two windows: %d rows counting %d, %d log lines; want at most %d rows counting all",
			len(rows), total, lines, 4*(maxNewPeers+1))
	}
}

// A backtest is audited, though it changes nothing: it spends the daemon's
// CPU, and the record says who ran one and what. A read is not.
func TestRunBacktestIsAudited(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	audit := AuditInterceptor(st, slog.New(slog.DiscardHandler))
	ok := func(context.Context, any) (any, error) { return nil, nil }
	for _, method := range []string{tradingv1.TradingService_RunBacktest_FullMethodName, tradingv1.TradingService_GetEquityCurve_FullMethodName} {
		_, _ = audit(context.Background(), &tradingv1.RunBacktestRequest{Settings: &tradingv1.SessionSettings{Strategy: "grid"}},
			&grpc.UnaryServerInfo{FullMethod: method}, ok)
	}
	rows, err := st.ListAudit(context.Background(), 0)
	if err != nil || len(rows) != 1 {
		t.Fatalf("audit: %d rows, %v; want the backtest alone", len(rows), err)
	}
	if rows[0].Method != tradingv1.TradingService_RunBacktest_FullMethodName || !strings.Contains(rows[0].Args, `"grid"`) {
		t.Fatalf("audit row %+v: want RunBacktest with its settings", rows[0])
	}
}
