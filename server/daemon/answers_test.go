package daemon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/session"
)

// status, portfolio and a kill-switch reset show one count of refused
// orders: the guard's, not a zero one of them made up.
func TestRefusedOrdersAreTheSameEverywhere(t *testing.T) {
	for _, withStore := range []bool{false, true} {
		opts, dir := session.Options{}, t.TempDir()
		if withStore {
			opts.Store = openStore(t, dir)
		}
		h := start(t, opts)
		c := tradingv1.NewTradingServiceClient(h.conn)
		ctx := authed(context.Background())
		req := &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
			Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond),
			// One order live at a time: the grid's others are refused.
			Risk: &tradingv1.RiskLimits{MaxOpenOrders: 1}}}
		if _, err := c.StartTrading(ctx, req); err != nil {
			t.Fatal(err)
		}
		eventually(t, "refused orders", func() bool {
			st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
			return err == nil && st.GetSession().GetSummary().GetRisk().GetRejectedOrders() > 0
		})
		// A reset while running answers with the guard's count so far.
		reset, err := c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "test"})
		if err != nil || reset.GetRisk().GetRejectedOrders() == 0 {
			t.Errorf("reset says %v refused (%v), status more than 0", reset.GetRisk(), err)
		}
		stop, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{})
		if err != nil {
			t.Fatal(err)
		}
		want := stop.GetSession().GetSummary().GetRisk().GetRejectedOrders()
		st, err := c.GetStatus(ctx, &tradingv1.GetStatusRequest{})
		if err != nil || st.GetSession().GetSummary().GetRisk().GetRejectedOrders() != want {
			t.Fatalf("status after stop: %v %v, want %d refused", st.GetSession().GetSummary().GetRisk(), err, want)
		}
		p, err := c.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{})
		if err != nil || p.GetPortfolio().GetRisk().GetRejectedOrders() != want {
			t.Errorf("store %v: portfolio says %v refused (%v), status %d", withStore, p.GetPortfolio().GetRisk(), err, want)
		}
		h.stop(t)
		if withStore {
			// A restarted daemon reads the count back from the store.
			h = start(t, session.Options{Store: openStore(t, dir)})
			c = tradingv1.NewTradingServiceClient(h.conn)
			p, err := c.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{SessionId: stop.GetSession().GetId()})
			if err != nil || p.GetPortfolio().GetRisk().GetRejectedOrders() != want {
				t.Errorf("stored portfolio says %v refused (%v), status %d", p.GetPortfolio().GetRisk(), err, want)
			}
			h.stop(t)
		}
	}
}

// An id that names no session is NOT_FOUND on every query, with or
// without a store, before and after a session ran: never an empty list
// that reads as "no orders in session nope".
func TestUnknownSessionIsNotFoundEverywhere(t *testing.T) {
	for _, withStore := range []bool{false, true} {
		opts := session.Options{}
		if withStore {
			opts.Store = openStore(t, t.TempDir())
		}
		h := start(t, opts)
		c := tradingv1.NewTradingServiceClient(h.conn)
		ctx := authed(context.Background())
		check := func(when string) {
			t.Helper()
			calls := map[string]error{}
			_, calls["ListOrders"] = c.ListOrders(ctx, &tradingv1.ListOrdersRequest{SessionId: "nope"})
			_, calls["GetPortfolio"] = c.GetPortfolio(ctx, &tradingv1.GetPortfolioRequest{SessionId: "nope"})
			if withStore { // without a store there are no fills to ask for
				_, calls["ListFills"] = c.ListFills(ctx, &tradingv1.ListFillsRequest{SessionId: "nope"})
			}
			for name, err := range calls {
				if status.Code(err) != codes.NotFound || reasonOf(err) != "SESSION_NOT_FOUND" || !strings.Contains(err.Error(), `"nope"`) {
					t.Errorf("store %v, %s: %s: %v, want NOT_FOUND naming the id", withStore, when, name, err)
				}
			}
		}
		check("before any session")
		if _, err := c.StartTrading(ctx, paperReq(10*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		check("while one runs")
		h.stop(t)
	}
}

func reasonOf(err error) string {
	for _, d := range status.Convert(err).Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			return i.GetReason()
		}
	}
	return ""
}

// A backup is as private as the store, and a path no file can be written
// at is the caller's to fix: FAILED_PRECONDITION naming it, not INTERNAL.
func TestBackupOverGRPC(t *testing.T) {
	h := start(t, session.Options{Store: openStore(t, t.TempDir())})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	dir := t.TempDir()
	path := filepath.Join(dir, "copy.db")
	if _, err := c.Backup(ctx, &tradingv1.BackupRequest{Path: path}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v %v, want mode 0600", fi.Mode(), err)
	}
	missing := filepath.Join(dir, "missing")
	_, err := c.Backup(ctx, &tradingv1.BackupRequest{Path: filepath.Join(missing, "copy.db")})
	if status.Code(err) != codes.FailedPrecondition || reasonOf(err) != "BACKUP_PATH_UNUSABLE" ||
		!strings.Contains(err.Error(), "directory "+missing+": does not exist") {
		t.Fatalf("backup into a missing directory: %v", err)
	}
}
