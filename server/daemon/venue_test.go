package daemon

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/paper"
	"github.com/tradectl/tradectl/internal/venue"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"github.com/tradectl/tradectl/server/internal/assemble"
	"github.com/tradectl/tradectl/server/internal/session"
	"github.com/tradectl/tradectl/server/internal/sessionhealth"
)

// fakeVenue is a live venue on the paper simulator; openErr makes it
// unreachable. It logs what it is opened with, as an adapter would.
type fakeVenue struct {
	info    assemble.VenueInfo
	openErr error
	log     *slog.Logger
	keys    binance.Keys
}

func (f *fakeVenue) Info() assemble.VenueInfo { return f.info }

func (f *fakeVenue) Open(_ context.Context, s assemble.LiveSpec) (assemble.LiveSession, error) {
	if f.openErr != nil {
		return nil, f.openErr
	}
	if f.log != nil {
		f.log.Info("connecting", "symbols", s.Symbols, "keys", f.keys, "api_key", f.keys.APIKey)
	}
	src, err := paper.NewSim(paper.SimConfig{Seed: 1, Symbols: s.Symbols, Start: time.Now()})
	if err != nil {
		return nil, err
	}
	eng, err := matching.New(s.PaperVenue())
	if err != nil {
		return nil, err
	}
	return &fakeConn{src: src, eng: eng}, nil
}

type fakeConn struct {
	src market.Source
	eng venue.Venue
}

func (c *fakeConn) Venue() venue.Venue                         { return c.eng }
func (c *fakeConn) Source() market.Source                      { return c.src }
func (c *fakeConn) Health(time.Time) []sessionhealth.Component { return nil }
func (c *fakeConn) Close() error                               { return nil }
func (c *fakeConn) StartBalances() map[string]money.Decimal {
	return map[string]money.Decimal{"USDT": money.FromInt(10_000)}
}

func liveReq(symbols ...string) *tradingv1.StartTradingRequest {
	return &tradingv1.StartTradingRequest{Settings: &tradingv1.SessionSettings{
		Mode: tradingv1.Mode_MODE_LIVE, Symbols: symbols, TickInterval: durationpb.New(50 * time.Millisecond)}}
}

func errReason(err error) tradingv1.ErrorReason {
	r, _ := tradingv1.ReasonOf(status.Convert(err))
	return r
}

func TestGetVenue(t *testing.T) {
	ctx := authed(context.Background())
	h := start(t, session.Options{})
	c := tradingv1.NewTradingServiceClient(h.conn)
	resp, err := c.GetVenue(ctx, &tradingv1.GetVenueRequest{})
	if err != nil || resp.GetConfigured() {
		t.Fatalf("without a venue: %v, %v", resp, err)
	}
	if _, err := c.GetVenue(context.Background(), &tradingv1.GetVenueRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("GetVenue without the token: %v", err)
	}
	if _, err := c.StartTrading(ctx, liveReq("BTC-USD")); errReason(err) != tradingv1.ErrorReason_ERROR_REASON_LIVE_TRADING_UNAVAILABLE {
		t.Fatalf("live without a venue: %v", err)
	}

	info := assemble.VenueInfo{Venue: "binance", Environment: "testnet", Account: "uid 7 SPOT", Quote: "USDT"}
	h = startWith(t, Config{venue: &fakeVenue{info: info}, Limits: Limits{ControlRate: Rate{Off: true}}})
	c = tradingv1.NewTradingServiceClient(h.conn)
	resp, err = c.GetVenue(ctx, &tradingv1.GetVenueRequest{})
	want := &tradingv1.GetVenueResponse{Configured: true, Venue: "binance", Environment: "testnet", Account: "uid 7 SPOT", QuoteAsset: "USDT"}
	if err != nil || !proto.Equal(resp, want) {
		t.Fatalf("GetVenue = %v, %v; want %v", resp, err, want)
	}
	// The same daemon still runs paper sessions.
	if _, err := c.StartTrading(ctx, paperReq(50*time.Millisecond, "BTC-USD")); err != nil {
		t.Fatalf("paper on a daemon with a venue: %v", err)
	}
}

// A production venue refuses a live session whose limits are off, naming
// every one of them; one that cannot be reached says so.
func TestLiveRefusals(t *testing.T) {
	ctx := authed(context.Background())
	prod := &fakeVenue{info: assemble.VenueInfo{Venue: "binance", Environment: "production", Production: true, Quote: "USDT"}}
	h := startWith(t, Config{venue: prod, Limits: Limits{ControlRate: Rate{Off: true}}})
	c := tradingv1.NewTradingServiceClient(h.conn)
	_, err := c.StartTrading(ctx, liveReq("BTC-USD"))
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument || errReason(err) != tradingv1.ErrorReason_ERROR_REASON_INVALID_SETTINGS {
		t.Fatalf("production without limits: %v", err)
	}
	var fields []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if len(fields) != 6 || fields[0] != "settings.risk.max_order_notional" || fields[5] != "settings.risk.max_trailing_drawdown" {
		t.Fatalf("BadRequest names %v, want the six limits", fields)
	}
	if snap, _, _ := h.d.Manager.Status(); snap.ID != "" {
		t.Fatal("a refused live start left a session")
	}

	down := &fakeVenue{info: assemble.VenueInfo{Venue: "binance", Environment: "testnet"},
		openErr: errors.New("GET /api/v3/account: -2015 Invalid API-key, IP, or permissions for action")}
	h = startWith(t, Config{venue: down, Limits: Limits{ControlRate: Rate{Off: true}}})
	c = tradingv1.NewTradingServiceClient(h.conn)
	_, err = c.StartTrading(ctx, liveReq("BTC-USD"))
	if errReason(err) != tradingv1.ErrorReason_ERROR_REASON_VENUE_UNAVAILABLE || !strings.Contains(err.Error(), "-2015") {
		t.Fatalf("refused keys: %v, want VENUE_UNAVAILABLE saying why", err)
	}
}

// lockedBuffer collects the daemon's log from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// The keys reach no log line, audit record or RPC answer, whatever the
// daemon and its venue log about them (at debug, in JSON and text).
func TestVenueKeysNeverShow(t *testing.T) {
	const apiKey, secret = "AKxq7Tz9KEYMATERIAL0001", "S3cr3tMATERIALzz9911"
	keys := binance.Keys{APIKey: binance.NewSecret(apiKey), Secret: binance.NewSecret(secret)}
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var logs lockedBuffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var hd slog.Handler = slog.NewJSONHandler(&logs, opts)
			if format == "text" {
				hd = slog.NewTextHandler(&logs, opts)
			}
			log := slog.New(hd)
			st, err := OpenStore(context.Background(), StoreConfig{Dir: t.TempDir()}, log)
			if err != nil {
				t.Fatal(err)
			}
			fake := &fakeVenue{info: assemble.VenueInfo{Venue: "binance", Environment: "testnet", Quote: "USDT"}, log: log, keys: keys}
			h := startWith(t, Config{Store: st, Logger: log, Limits: Limits{ControlRate: Rate{Off: true}},
				Venue: &VenueConfig{Venue: "binance", Env: "testnet", Keys: keys}, venue: fake})
			c := tradingv1.NewTradingServiceClient(h.conn)
			ctx := authed(context.Background())
			var answers []proto.Message
			keep := func(m proto.Message, err error) {
				if err != nil {
					answers = append(answers, status.Convert(err).Proto())
					return
				}
				answers = append(answers, m)
			}
			keep(c.GetVenue(ctx, &tradingv1.GetVenueRequest{}))
			keep(c.StartTrading(ctx, liveReq("BTC-USD")))
			keep(c.GetStatus(ctx, &tradingv1.GetStatusRequest{}))
			keep(c.StopTrading(ctx, &tradingv1.StopTradingRequest{}))
			keep(c.ListSessions(ctx, &tradingv1.ListSessionsRequest{}))
			keep(c.StartTrading(ctx, liveReq("BTC-EUR")))          // a refusal's answer too
			audit, err := st.st.ListAudit(context.Background(), 0) // before Run closes the store
			if err != nil || len(audit) == 0 {
				t.Fatalf("audit: %d rows, %v", len(audit), err)
			}
			h.stop(t) // the shutdown's lines too
			var all strings.Builder
			for _, a := range answers {
				all.WriteString(protojson.Format(a))
			}
			for _, a := range audit {
				all.WriteString(a.Args + a.Error + a.Method)
			}
			text := logs.String()
			if !strings.Contains(text, "live venue configured") || !strings.Contains(text, "[redacted]") {
				t.Fatalf("the log does not show the venue with its keys redacted:\n%s", text)
			}
			for name, where := range map[string]string{"log": text, "answers and audit": all.String()} {
				for _, s := range []string{apiKey, secret} {
					if strings.Contains(where, s) {
						t.Errorf("the %s show a key: %s", name, where)
					}
				}
			}
		})
	}
}

func TestVenueConfigCheck(t *testing.T) {
	keys := binance.Keys{APIKey: binance.NewSecret("k"), Secret: binance.NewSecret("s")}
	for _, tc := range []struct {
		v   VenueConfig
		say string
	}{
		{VenueConfig{Venue: "binance", Env: "testnet", Keys: keys}, ""},
		{VenueConfig{Venue: "binance", Env: "production", Keys: keys, Quote: "USDC"}, ""},
		{VenueConfig{Venue: "binance", Env: EnvEmulator, URL: "http://127.0.0.1:9000", Keys: keys}, ""},
		{VenueConfig{Venue: "kraken", Env: "testnet", Keys: keys}, "the one venue there is"},
		{VenueConfig{Venue: "binance", Env: "staging", Keys: keys}, `environment "staging"`},
		{VenueConfig{Venue: "binance", Env: "testnet"}, "API key and its secret"},
		{VenueConfig{Venue: "binance", Env: EnvEmulator, URL: "http://10.0.0.5:9000", Keys: keys}, "must be on loopback"},
		{VenueConfig{Venue: "binance", Env: EnvEmulator, URL: "127.0.0.1:9000", Keys: keys}, "want http://"},
		{VenueConfig{Venue: "binance", Env: "testnet", URL: "http://127.0.0.1:9000", Keys: keys}, "rehearsal venue"},
		{VenueConfig{Venue: "binance", Env: "testnet", Keys: keys, Quote: "usdt"}, "quote asset"},
	} {
		err := tc.v.Check()
		if (tc.say == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.say)) {
			t.Errorf("%+v: %v, want %q", tc.v, err, tc.say)
		}
	}
}
