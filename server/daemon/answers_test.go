package daemon

import (
	"context"
	"io"
	"log/slog"
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
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/store"
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
				_, calls["GetEquityCurve"] = c.GetEquityCurve(ctx, &tradingv1.GetEquityCurveRequest{SessionId: "nope"})
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

// A backup is as private as the store and goes only into the backup
// directory: the request names a file, and a path, however spelled, is
// INVALID_ARGUMENT naming the field, with nothing written anywhere.
func TestBackupOverGRPC(t *testing.T) {
	data := t.TempDir()
	h := start(t, session.Options{Store: openStore(t, data)})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	resp, err := c.Backup(ctx, &tradingv1.BackupRequest{Path: "copy.db"})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(data, store.BackupsDir, "copy.db")
	if resp.GetPath() != want {
		t.Fatalf("backup went to %s, want %s", resp.GetPath(), want)
	}
	if fi, err := os.Stat(want); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup: %v %v, want mode 0600", fi.Mode(), err)
	}
	outside := t.TempDir()
	for _, path := range []string{filepath.Join(outside, "authorized_keys"), "../copy2.db", "..", ".ssh",
		"x\nssh-ed25519 AAAA attacker", strings.Repeat("a", 200)} {
		_, err := c.Backup(ctx, &tradingv1.BackupRequest{Path: path})
		if status.Code(err) != codes.InvalidArgument || fieldOf(err) != "path" {
			t.Errorf("backup to %.40q: %v; want INVALID_ARGUMENT naming path", path, err)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside the backup directory: %v", entries)
	}
	if entries, _ := os.ReadDir(filepath.Dir(want)); len(entries) != 1 {
		t.Errorf("backup directory holds %d files, want only copy.db", len(entries))
	}
}

// Lists page (AIP-158): the pages together are the unpaged list, the last
// one has no token, and a token the daemon did not issue for the same
// request is INVALID_ARGUMENT naming page_token.
func TestListsPage(t *testing.T) {
	h := start(t, session.Options{Store: openStore(t, t.TempDir())})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond),
		// A margin account, so that the grid quotes both sides from the start.
		Account: tradingv1.Account_ACCOUNT_MARGIN, MaxBorrow: "100000"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "20 orders and 2 fills", func() bool {
		o, err1 := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{})
		f, err2 := c.ListFills(ctx, &tradingv1.ListFillsRequest{})
		return err1 == nil && err2 == nil && len(o.GetOrders()) >= 20 && len(f.GetFills()) >= 2
	})
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	whole, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 15})
	if err != nil {
		t.Fatal(err)
	}
	var paged []string
	pages, token := 0, ""
	for {
		resp, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 15, PageSize: 4, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetOrders()) > 4 || resp.GetOmitted() != whole.GetOmitted() {
			t.Fatalf("page of %d orders, omitted %d (unpaged %d)", len(resp.GetOrders()), resp.GetOmitted(), whole.GetOmitted())
		}
		for _, o := range resp.GetOrders() {
			paged = append(paged, o.GetClientOrderId())
		}
		pages++
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
		if pages == 1 {
			// The token belongs to this request: another limit, another
			// list, or garbage is refused.
			for name, err := range map[string]error{
				"other limit": second(c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 16, PageToken: token})),
				"open only":   second(c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 15, OpenOnly: true, PageToken: token})),
				"other list":  second(c.ListFills(ctx, &tradingv1.ListFillsRequest{Limit: 15, PageToken: token})),
				"garbage":     second(c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 15, PageToken: "nope"})),
			} {
				if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "page_token") || reasonOf(err) == "" {
					t.Errorf("%s: %v, want INVALID_ARGUMENT naming page_token", name, err)
				}
			}
		}
	}
	var want []string
	for _, o := range whole.GetOrders() {
		want = append(want, o.GetClientOrderId())
	}
	if pages != 4 || strings.Join(paged, ",") != strings.Join(want, ",") {
		t.Fatalf("%d pages of %v, want 4 pages of %v", pages, paged, want)
	}
	fills, err := c.ListFills(ctx, &tradingv1.ListFillsRequest{Limit: 1, PageSize: 1})
	if err != nil || len(fills.GetFills()) != 1 || fills.GetNextPageToken() != "" || fills.GetOmitted() == 0 {
		t.Fatalf("first page of fills: %v %v", fills, err)
	}
	sessions, err := c.ListSessions(ctx, &tradingv1.ListSessionsRequest{PageSize: 1})
	if err != nil || len(sessions.GetSessions()) != 1 || sessions.GetNextPageToken() != "" {
		t.Fatalf("sessions: %v %v", sessions, err)
	}
	if _, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{PageSize: -1}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("negative page_size: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

// Without a store the session's in-memory orders page too.
func TestOrdersPageWithoutAStore(t *testing.T) {
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", TickInterval: durationpb.New(10 * time.Millisecond)}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "5 orders", func() bool {
		o, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{})
		return err == nil && len(o.GetOrders()) >= 5
	})
	if _, err := c.StopTrading(ctx, &tradingv1.StopTradingRequest{}); err != nil {
		t.Fatal(err)
	}
	whole, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for token := ""; ; {
		resp, err := c.ListOrders(ctx, &tradingv1.ListOrdersRequest{Limit: 5, PageSize: 2, PageToken: token})
		if err != nil || len(resp.GetOrders()) > 2 {
			t.Fatalf("page: %v %v", resp, err)
		}
		for _, o := range resp.GetOrders() {
			got = append(got, o.GetClientOrderId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	for _, o := range whole.GetOrders() {
		want = append(want, o.GetClientOrderId())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || len(got) != 5 {
		t.Fatalf("pages %v, want %v", got, want)
	}
}

// A backup refused by the store (here: the directory is full) got past
// authentication: it is audited like any state-changing call, although its
// code is one that refusals before a handler also use.
func TestRefusedBackupIsAudited(t *testing.T) {
	data := t.TempDir()
	st, err := OpenStore(context.Background(), StoreConfig{Dir: data, Durability: DurabilityProcess, MaxBackups: 1},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := startWith(t, Config{Store: st, Limits: Limits{ControlRate: Rate{Off: true}}})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.Backup(ctx, &tradingv1.BackupRequest{Path: "one.db"}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Backup(ctx, &tradingv1.BackupRequest{Path: "two.db"})
	if status.Code(err) != codes.ResourceExhausted || reasonOf(err) != "BACKUP_LIMIT" {
		t.Fatalf("second backup with --max-backups 1: %v; want RESOURCE_EXHAUSTED, BACKUP_LIMIT", err)
	}
	rows, err := h.d.store.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var codesSeen []string
	for _, r := range rows {
		if r.Method == tradingv1.TradingService_Backup_FullMethodName {
			codesSeen = append(codesSeen, r.Code)
		}
	}
	if strings.Join(codesSeen, ",") != "OK,ResourceExhausted" && strings.Join(codesSeen, ",") != "ResourceExhausted,OK" {
		t.Fatalf("audited Backup calls: %v; want the accepted one and the refused one", codesSeen)
	}
}

// RunBacktest through the daemon's chain: a request refused by its shape
// names the field; one that runs answers and is audited with its
// arguments.
func TestRunBacktestThroughTheDaemon(t *testing.T) {
	st, err := OpenStore(context.Background(), StoreConfig{Dir: t.TempDir(), Durability: DurabilityProcess},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := startWith(t, Config{Store: st, Limits: Limits{ControlRate: Rate{Off: true}}})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.RunBacktest(ctx, &tradingv1.RunBacktestRequest{}); status.Code(err) != codes.InvalidArgument ||
		!strings.Contains(err.Error(), "sim_duration") {
		t.Fatalf("no sim_duration: %v; want INVALID_ARGUMENT naming it", err)
	}
	resp, err := c.RunBacktest(ctx, &tradingv1.RunBacktestRequest{SimDuration: durationpb.New(time.Minute),
		Settings: &tradingv1.SessionSettings{Strategy: "grid", Seed: 3}})
	if err != nil || resp.GetResult().GetEvents() == 0 || len(resp.GetSummary()) == 0 {
		t.Fatalf("RunBacktest: %v, %v", resp.GetResult(), err)
	}
	rows, err := h.d.store.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var audited []string
	for _, r := range rows {
		if r.Method == tradingv1.TradingService_RunBacktest_FullMethodName {
			audited = append(audited, r.Code+" "+r.Args)
		}
	}
	if len(audited) == 0 || !strings.Contains(audited[len(audited)-1], `"seed":"3"`) {
		t.Fatalf("audited RunBacktest calls: %v; want the one that ran, with its settings", audited)
	}
}
