package binance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tradectl/tradectl/internal/money"
)

// The user data stream is subscribed over the WebSocket API with
// userDataStream.subscribe.signature: the listenKey requests are
// deprecated, and go-binance's WsUserDataServeSignature reports neither an
// error answer nor a silent socket and never reconnects, so we dial the
// socket ourselves and parse with exact decimals (userevents.go).

// UserStreamConfig configures a UserStream.
type UserStreamConfig struct {
	WSAPI string // wss://ws-api.testnet.binance.vision/ws-api/v3
	Keys  Keys
	Map   SymbolMap
	// RecvWindow is sent with the subscription (default 5s).
	RecvWindow time.Duration
	// Offset is the venue's clock minus ours (clock.go); nil is zero.
	Offset func() time.Duration
	Sink   Sink
	// OnConnect is called on Run's goroutine after every successful
	// (re)subscription: events may have been missed, so the session
	// reconciles. It must not block (signal a goroutine, do not work).
	OnConnect func()
	// Silence is how long the socket may stay without a message or a ping
	// before it is closed and dialled again (default 2s).
	Silence time.Duration
	// SubscribeTimeout is how long the subscription's answer may take
	// before the socket is given up and dialled again (default 10s, the
	// WS API's own backend timeout), however lively the socket is.
	SubscribeTimeout time.Duration
	// Backoff and MaxBackoff bound the wait before a redial: full jitter
	// over Backoff·2^attempt, capped (defaults 250ms and 30s).
	Backoff, MaxBackoff time.Duration
	Logger              *slog.Logger
	Now                 func() time.Time
}

// UserStream keeps one subscription to the account's user data stream and
// hands what it says to the Sink.
type UserStream struct {
	cfg    UserStreamConfig
	dialer *websocket.Dialer

	mu         sync.Mutex
	started    time.Time
	subscribed bool
	lastSeen   time.Time // last message or ping
	reconnects int64
	lastErr    string
	external   map[string]money.Decimal // balanceUpdate deltas, summed
	nextID     int64
}

// NewUserStream checks cfg and fills its defaults.
func NewUserStream(cfg UserStreamConfig) (*UserStream, error) {
	if cfg.WSAPI == "" {
		return nil, errors.New("binance: user stream: the WebSocket API endpoint is required")
	}
	if cfg.Keys.APIKey.IsZero() || cfg.Keys.Secret.IsZero() {
		return nil, errors.New("binance: user stream: an API key and secret are required")
	}
	if cfg.Sink == nil {
		return nil, errors.New("binance: user stream: a sink is required")
	}
	if cfg.Map.Quote == "" {
		return nil, errors.New("binance: user stream: the symbol map's quote asset is required")
	}
	if cfg.RecvWindow == 0 {
		cfg.RecvWindow = DefaultRecvWindow
	}
	if cfg.Offset == nil {
		cfg.Offset = func() time.Duration { return 0 }
	}
	if cfg.OnConnect == nil {
		cfg.OnConnect = func() {}
	}
	if cfg.Silence == 0 {
		cfg.Silence = 2 * time.Second
	}
	if cfg.SubscribeTimeout == 0 {
		cfg.SubscribeTimeout = 10 * time.Second
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.RecvWindow < 0 || cfg.Silence < 0 || cfg.SubscribeTimeout < 0 || cfg.Backoff < 0 || cfg.MaxBackoff < cfg.Backoff {
		return nil, errors.New("binance: user stream: recvWindow, silence and backoff must be positive, max backoff ≥ backoff")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	d := *websocket.DefaultDialer
	d.HandshakeTimeout = 10 * time.Second
	return &UserStream{cfg: cfg, dialer: &d, external: map[string]money.Decimal{}}, nil
}

// errStreamTerminated: the venue ended the subscription (eventStreamTerminated).
var errStreamTerminated = errors.New("the venue terminated the subscription")

// Run keeps the stream subscribed until ctx ends, redialling with backoff
// after any failure. It returns nil when ctx ends.
func (u *UserStream) Run(ctx context.Context) error {
	u.mu.Lock()
	u.started = u.cfg.Now()
	u.mu.Unlock()
	attempt := 0
	for {
		began := time.Now()
		subscribed, err := u.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		// Only a session that held resets the backoff: one terminated
		// right after subscribing must not redial (and reconcile) in a loop.
		if subscribed && time.Since(began) >= u.cfg.MaxBackoff {
			attempt = 0
		}
		u.mu.Lock()
		u.subscribed = false
		u.reconnects++
		u.lastErr = describeStreamErr(err)
		u.mu.Unlock()
		u.cfg.Logger.Warn("user stream: reconnecting", "err", err)
		wait := u.backoff(attempt)
		attempt++
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// backoff is full jitter: uniform in [0, min(max, base·2^attempt)), so
// that many clients cut off together do not come back together.
func (u *UserStream) backoff(attempt int) time.Duration {
	ceil := u.cfg.MaxBackoff
	if attempt < 30 && u.cfg.Backoff<<attempt < ceil {
		ceil = u.cfg.Backoff << attempt
	}
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil)
}

// session dials, subscribes and reads until the socket fails, falls
// silent, the subscription ends or ctx ends.
func (u *UserStream) session(ctx context.Context) (subscribed bool, err error) {
	conn, _, err := u.dialer.DialContext(ctx, u.cfg.WSAPI, nil)
	if err != nil {
		return false, fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	// A blocked read returns at once when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	// A ping or pong is life: the read deadline moves a Silence on, but never
	// past an awaited answer's, or a lost answer is awaited for ever.
	answerBy := time.Now().Add(u.cfg.SubscribeTimeout)
	var subscribing atomic.Bool
	subscribing.Store(true)
	alive := func() {
		u.touch()
		d := time.Now().Add(u.cfg.Silence)
		if subscribing.Load() && d.After(answerBy) {
			d = answerBy
		}
		_ = conn.SetReadDeadline(d)
	}
	conn.SetPingHandler(func(data string) error {
		alive()
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		return err
	})
	stopPing := startPinger(conn, u.cfg.Silence, alive)
	defer stopPing()
	subID, err := u.subscribe(conn, answerBy)
	subscribing.Store(false)
	if err != nil {
		return false, err
	}
	u.mu.Lock()
	u.subscribed = true
	u.lastSeen = u.cfg.Now()
	u.mu.Unlock()
	u.cfg.Logger.Info("user stream: subscribed", "subscription", subID)
	u.cfg.OnConnect()
	for {
		_ = conn.SetReadDeadline(time.Now().Add(u.cfg.Silence))
		_, data, err := conn.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return true, fmt.Errorf("silent for %v: closed", u.cfg.Silence)
			}
			return true, fmt.Errorf("read: %w", err)
		}
		u.touch()
		if err := u.handle(subID, data); err != nil {
			return true, err
		}
	}
}

// wsapiAnswer is the WebSocket API's answer to a request.
type wsapiAnswer struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
	Result *struct {
		SubscriptionID *int64 `json:"subscriptionId"`
	} `json:"result"`
	Error *struct {
		Code int64  `json:"code"`
		Msg  string `json:"msg"`
	} `json:"error"`
}

// subscribe sends userDataStream.subscribe.signature and waits for its
// answer. An error answer is an *APIError (Classify: -1021 is the clock,
// -2015 the key), never taken for an empty event.
func (u *UserStream) subscribe(conn *websocket.Conn, deadline time.Time) (int64, error) {
	u.mu.Lock()
	u.nextID++
	id := "us-" + strconv.FormatInt(u.nextID, 10)
	u.mu.Unlock()
	ts := u.cfg.Now().Add(u.cfg.Offset()).UnixMilli()
	rw := u.cfg.RecvWindow.Milliseconds()
	apiKey := u.cfg.Keys.APIKey.reveal()
	sig := signWSAPI(u.cfg.Keys.Secret, map[string]string{
		"apiKey": apiKey, "timestamp": strconv.FormatInt(ts, 10), "recvWindow": strconv.FormatInt(rw, 10)})
	req := map[string]any{"id": id, "method": "userDataStream.subscribe.signature",
		"params": map[string]any{"apiKey": apiKey, "timestamp": ts, "recvWindow": rw, "signature": sig}}
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := conn.WriteJSON(req); err != nil {
		return 0, fmt.Errorf("subscribe: %w", err)
	}
	// The WS API answers within its 10s backend timeout (deadline);
	// events of another subscription may come first and are skipped.
	for {
		_ = conn.SetReadDeadline(deadline)
		_, data, err := conn.ReadMessage()
		if err != nil {
			return 0, fmt.Errorf("subscribe: no answer: %w", err)
		}
		u.touch()
		var a wsapiAnswer
		if json.Unmarshal(data, &a) != nil || a.ID != id {
			continue
		}
		if a.Error != nil || a.Status != 200 {
			ae := &APIError{HTTPStatus: a.Status}
			if a.Error != nil {
				ae.Code, ae.Msg = a.Error.Code, a.Error.Msg
			}
			return 0, fmt.Errorf("subscribe refused: %w", ae)
		}
		if a.Result == nil || a.Result.SubscriptionID == nil {
			return 0, errors.New("subscribe: answer without a subscriptionId")
		}
		return *a.Result.SubscriptionID, nil
	}
}

func (u *UserStream) touch() {
	now := u.cfg.Now()
	u.mu.Lock()
	u.lastSeen = now
	u.mu.Unlock()
}

// External is the sum of the balanceUpdate deltas (deposits, withdrawals,
// transfers) per asset since the stream started: changes our fills do not
// explain, which the reconciler adds to its expectation.
func (u *UserStream) External() map[string]money.Decimal {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make(map[string]money.Decimal, len(u.external))
	for a, d := range u.external {
		out[a] = d
	}
	return out
}

// Reconnects is how many times the stream was dialled again.
func (u *UserStream) Reconnects() int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.reconnects
}

// Health is the "user_stream" component: subscribed and hearing from the
// venue (a message or a ping) within Silence, or not and why.
func (u *UserStream) Health(now time.Time) Health {
	u.mu.Lock()
	defer u.mu.Unlock()
	h := Health{Name: "user_stream", LastProgress: u.lastSeen}
	switch {
	case !u.subscribed && u.lastErr == "":
		h.Level, h.Reason = Degraded, "subscribing"
	case !u.subscribed:
		h.Level = Unhealthy
		h.Reason = fmt.Sprintf("not subscribed (%d reconnects): %s", u.reconnects, u.lastErr)
	default:
		age := now.Sub(u.lastSeen)
		h.Level = Healthy
		if age > 2*u.cfg.Silence {
			h.Level = Unhealthy
		} else if age > u.cfg.Silence {
			h.Level = Degraded
		}
		h.Reason = fmt.Sprintf("subscribed; last message or ping %v ago; %d reconnects", age.Round(time.Millisecond), u.reconnects)
		if u.lastErr != "" {
			h.Reason += "; last error: " + u.lastErr
		}
	}
	return h
}
