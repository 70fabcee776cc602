package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	e2e "github.com/tradectl/tradectl/e2e/harness"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/security"
	"github.com/tradectl/tradectl/server/internal/session"
)

// fieldOf is the field a status's BadRequest names, "" if none.
func fieldOf(err error) string {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok && len(br.GetFieldViolations()) > 0 {
			return br.GetFieldViolations()[0].GetField()
		}
	}
	return ""
}

// An error quotes at most a little of what the client sent: a half-megabyte
// strategy name, parameter name or value comes back, and goes into the
// audit table, as a few dozen bytes and its length.
func TestErrorsEchoLittleOfTheInput(t *testing.T) {
	h := start(t, session.Options{Store: openStore(t, t.TempDir())})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	huge := strings.Repeat("x", 512<<10) // under the 1 MiB message limit
	for name, s := range map[string]*tradingv1.SessionSettings{
		"strategy":        {Mode: tradingv1.Mode_MODE_PAPER, Strategy: huge},
		"parameter name":  {Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: map[string]string{huge: "1"}},
		"parameter value": {Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: map[string]string{"levels": huge}},
		"starting cash":   {Mode: tradingv1.Mode_MODE_PAPER, StartingCash: "-" + huge},
	} {
		_, err := c.StartTrading(ctx, &tradingv1.StartTradingRequest{Settings: s})
		st := status.Convert(err)
		size := len(st.Message()) + len(fieldOf(err))
		for _, d := range st.Details() {
			if br, ok := d.(*errdetails.BadRequest); ok {
				size += len(br.GetFieldViolations()[0].GetDescription())
			}
		}
		if err == nil || size > 2048 || !strings.Contains(st.Message(), "bytes)") {
			t.Errorf("%s of 512 KiB: %d bytes of error (%.200s); want the echo capped, naming the length", name, size, st.Message())
		}
	}
	rows, err := h.d.store.ListAudit(context.Background(), 0)
	if err != nil || len(rows) != 4 {
		t.Fatalf("audit: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if len(r.Error) > security.MaxAuditArgs {
			t.Errorf("audit error column holds %d bytes", len(r.Error))
		}
	}
}

// A flood of refused calls, unary and streams, writes one audit row and
// one log line per peer, method and reason when it starts and one with
// the count when its window has passed: not one per call.
func TestRefusalsAreSummed(t *testing.T) {
	var logs e2e.SyncBuffer
	st := openStore(t, t.TempDir())
	h := startWith(t, Config{session: session.Options{Store: st}, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Limits: Limits{ControlRate: Rate{Off: true}}})
	var clock atomic.Int64 // Unix seconds
	clock.Store(1_000_000)
	h.d.refused.SetClock(func() time.Time { return time.Unix(clock.Load(), 0) })
	advance := func(d time.Duration) { clock.Add(int64(d / time.Second)) }
	c := tradingv1.NewTradingServiceClient(h.conn)
	bad := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer wrong")
	for range 100 {
		if _, err := c.StopTrading(bad, &tradingv1.StopTradingRequest{}); status.Code(err) != codes.Unauthenticated {
			t.Fatalf("bad token: %v", err)
		}
	}
	for range 20 {
		w, err := c.WatchHealth(bad, &tradingv1.WatchHealthRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		if status.Code(err) != codes.Unauthenticated {
			t.Fatalf("watch with a bad token: %v", err)
		}
	}
	advance(security.RefusalWindow)
	if _, err := c.StopTrading(bad, &tradingv1.StopTradingRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("bad token: %v", err)
	}
	rows, err := st.ListAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %s %d refused=%v", path.Base(r.Method), r.Code, r.Count, r.Refused))
	}
	want := []string{"StopTrading Unauthenticated 1 refused=true", "WatchHealth Unauthenticated 1 refused=true",
		"StopTrading Unauthenticated 99 refused=true", "WatchHealth Unauthenticated 19 refused=true",
		"StopTrading Unauthenticated 1 refused=true"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if lines := strings.Count(logs.String(), "Unauthenticated"); lines != len(want) {
		t.Fatalf("%d log lines name the refusal, want %d:\n%s", lines, len(want), logs.String())
	}
}

// rawCodec sends bytes as they are, so a test can send what a generated
// client never would.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal(b []byte, v any) error {
	*v.(*[]byte) = append([]byte(nil), b...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// Invalid UTF-8 in a string field is the client's mistake: INVALID_ARGUMENT
// naming the field, not INTERNAL, for TradingService and health alike.
func TestInvalidUTF8IsInvalidArgument(t *testing.T) {
	h := start(t, session.Options{})
	valid, err := proto.Marshal(&tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_PAPER, Strategy: "grid", Params: map[string]string{"levels": "ABCD"}}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(method string, req []byte, field string) {
		t.Helper()
		var resp []byte
		err := h.conn.Invoke(authed(context.Background()), method, req, &resp, grpc.ForceCodec(rawCodec{}))
		reason, _ := tradingv1.ReasonOf(status.Convert(err))
		if status.Code(err) != codes.InvalidArgument || fieldOf(err) != field || reason != tradingv1.ErrorReason_ERROR_REASON_INVALID_REQUEST {
			t.Errorf("%s with invalid UTF-8: %v (field %q, reason %s); want INVALID_ARGUMENT, INVALID_REQUEST, naming %s", path.Base(method), err, fieldOf(err), reason, field)
		}
	}
	check(tradingv1.TradingService_StartTrading_FullMethodName,
		bytes.Replace(valid, []byte("grid"), []byte("g\xffid"), 1), "settings.strategy")
	check(tradingv1.TradingService_StartTrading_FullMethodName,
		bytes.Replace(valid, []byte("ABCD"), []byte("AB\xc3("), 1), "settings.params[value]")
	health, err := proto.Marshal(&healthpb.HealthCheckRequest{Service: "abcd"})
	if err != nil {
		t.Fatal(err)
	}
	check(healthpb.Health_Check_FullMethodName, bytes.Replace(health, []byte("abcd"), []byte("ab\xffd"), 1), "service")
}

// Streams are limited like unary calls: a flood of WatchHealth with a bad
// token is refused over the rate before its token is looked at.
func TestStreamsAreRateLimited(t *testing.T) {
	_, addr := startTCP(t, Limits{ControlRate: Rate{N: 2, Per: time.Second, Burst: 5}})
	c := tradingv1.NewTradingServiceClient(dialFrom(t, addr, "127.0.0.1"))
	bad := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer wrong")
	got := map[codes.Code]int{}
	for range 20 {
		w, err := c.WatchHealth(bad, &tradingv1.WatchHealthRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		got[status.Code(err)]++
	}
	if got[codes.Unauthenticated] > 7 || got[codes.ResourceExhausted] < 13 {
		t.Fatalf("20 bad-token watches at 2/s, bursts of 5: %v; want at most a burst refused for the token, the rest over the rate", got)
	}
}

// Health checks need no token and are never rate-limited, so their
// failures are summed in the log like refusals: a thousand checks of an
// unknown service write a line when they start and one with the count,
// not a thousand lines.
func TestFailedHealthChecksAreSummed(t *testing.T) {
	var logs e2e.SyncBuffer
	h := startWith(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	hc := healthpb.NewHealthClient(h.conn)
	for i := range 1000 {
		_, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: fmt.Sprintf("nope-%d", i)})
		if status.Code(err) != codes.NotFound {
			t.Fatalf("check of an unknown service: %v", err)
		}
	}
	h.stop(t)
	out := logs.String()
	if n := strings.Count(out, "grpc.health.v1.Health/Check"); n != 2 || !strings.Contains(out, "count=999") {
		t.Fatalf("%d log lines for 1,000 failed health checks, want 2 (the first, then count=999):\n%.2000s", n, out)
	}
}

// A kill-switch reset's reason goes into the log: one of half a megabyte,
// or with control characters, is refused, naming the field, and does not
// reach the log.
func TestLongResetReasonIsRefused(t *testing.T) {
	var logs e2e.SyncBuffer
	h := startWith(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Limits: Limits{ControlRate: Rate{Off: true}}})
	c := tradingv1.NewTradingServiceClient(h.conn)
	ctx := authed(context.Background())
	if _, err := c.StartTrading(ctx, paperReq(time.Second, "BTC-USD")); err != nil {
		t.Fatal(err)
	}
	reason := strings.Repeat("r", 512<<10)
	_, err := c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: reason})
	if status.Code(err) != codes.InvalidArgument || fieldOf(err) != "reason" {
		t.Errorf("reset with a 512 KiB reason: %v (field %q), want INVALID_ARGUMENT naming reason", err, fieldOf(err))
	}
	_, err = c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "ok\n\u009b2J\u202e"})
	if status.Code(err) != codes.InvalidArgument || fieldOf(err) != "reason" {
		t.Errorf("reset with control characters in its reason: %v (field %q), want INVALID_ARGUMENT naming reason", err, fieldOf(err))
	}
	if _, err := c.ResetKillSwitch(ctx, &tradingv1.ResetKillSwitchRequest{Reason: "drawdown reviewed"}); err != nil {
		t.Errorf("reset with a short reason: %v", err)
	}
	if n := len(logs.String()); n > 64<<10 {
		t.Errorf("the log holds %d bytes after one reset with a 512 KiB reason", n)
	}
}

// grpc.health.v1 Watch needs no token and is never rate-limited: opening
// and closing watches writes nothing to the log at info level.
func TestHealthWatchesAreNotLoggedOneByOne(t *testing.T) {
	var logs e2e.SyncBuffer
	h := startWith(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	hc := healthpb.NewHealthClient(h.conn)
	for range 200 {
		ctx, cancel := context.WithCancel(context.Background())
		w, err := hc.Watch(ctx, &healthpb.HealthCheckRequest{})
		if err == nil {
			_, err = w.Recv()
		}
		cancel()
		if err != nil {
			t.Fatalf("health watch: %v", err)
		}
	}
	h.stop(t)
	if n := strings.Count(logs.String(), "grpc.health.v1.Health"); n > 0 {
		t.Fatalf("200 health watches wrote %d log lines at info:\n%.1000s", n, logs.String())
	}
}

// The arguments a token holder sends are kept as JSON with nothing a
// terminal or a line-splitting tool would act on: C1 controls (U+009B is
// a terminal's CSI), line separators and bidirectional overrides are
// escaped like the C0 controls, and the JSON stays valid.
func TestAuditArgsHoldOnlyPrintableText(t *testing.T) {
	h := start(t, session.Options{Store: openStore(t, t.TempDir())})
	c := tradingv1.NewTradingServiceClient(h.conn)
	strategy := "grid\u009b2J\u2028\u202e\x1b\U000e0041"
	_, err := c.StartTrading(authed(context.Background()), &tradingv1.StartTradingRequest{
		Settings: &tradingv1.SessionSettings{Mode: tradingv1.Mode_MODE_PAPER, Strategy: strategy}})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("unknown strategy: %v", err)
	}
	rows, err := h.d.store.ListAudit(context.Background(), 0)
	if err != nil || len(rows) != 1 {
		t.Fatalf("audit: %d rows, %v", len(rows), err)
	}
	args := rows[0].Args
	if i := strings.IndexFunc(args, func(r rune) bool { return !strconv.IsPrint(r) }); i >= 0 || !json.Valid([]byte(args)) {
		t.Fatalf("audit args %q: not printable at %d, or not JSON", args, i)
	}
	var req struct{ Settings struct{ Strategy string } }
	if err := json.Unmarshal([]byte(args), &req); err != nil || req.Settings.Strategy != strategy {
		t.Fatalf("audit args %q read back as %q (%v), want the strategy as sent", args, req.Settings.Strategy, err)
	}
}
