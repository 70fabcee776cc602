package binance

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Endpoints are the venue's three surfaces: REST, the market data streams
// and the WebSocket API (where the user data stream is subscribed today:
// the listenKey requests are deprecated).
type Endpoints struct {
	REST   string // https://testnet.binance.vision (paths /api/v3/...)
	Stream string // wss://stream.testnet.binance.vision (paths /ws/<stream>)
	WSAPI  string // wss://ws-api.testnet.binance.vision/ws-api/v3
}

// The environments a daemon may be pointed at by name.
const (
	EnvTestnet    = "testnet"
	EnvProduction = "production"
)

// EndpointsFor returns the endpoints of a named environment. The rehearsal
// venue (cmd/venue-emulator) is not named: its endpoints are given as URLs.
func EndpointsFor(env string) (Endpoints, error) {
	switch env {
	case EnvTestnet:
		return Endpoints{REST: "https://testnet.binance.vision", Stream: "wss://stream.testnet.binance.vision",
			WSAPI: "wss://ws-api.testnet.binance.vision/ws-api/v3"}, nil
	case EnvProduction:
		return Endpoints{REST: "https://api.binance.com", Stream: "wss://stream.binance.com:9443",
			WSAPI: "wss://ws-api.binance.com:443/ws-api/v3"}, nil
	}
	return Endpoints{}, fmt.Errorf("unknown venue environment %q: want %s or %s", env, EnvTestnet, EnvProduction)
}

// EmulatorEndpoints are the endpoints of a rehearsal venue serving REST at
// base (http://127.0.0.1:PORT), its streams and WebSocket API on the same
// port, as cmd/venue-emulator does.
func EmulatorEndpoints(base string) Endpoints {
	ws := "ws" + strings.TrimPrefix(strings.TrimSuffix(base, "/"), "http")
	return Endpoints{REST: strings.TrimSuffix(base, "/"), Stream: ws, WSAPI: ws + "/ws-api/v3"}
}

// Secret is a credential. It prints, formats, logs and marshals as
// [redacted] whatever verb or encoder is used; only the signer reads it.
type Secret struct{ s string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{s: s} }

const redacted = "[redacted]"

func (Secret) String() string               { return redacted }
func (Secret) GoString() string             { return redacted }
func (Secret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(redacted)) }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (s Secret) IsZero() bool               { return s.s == "" }
func (s Secret) reveal() string             { return s.s }

// Keys are an API key and its secret (HMAC-SHA256). Both are secrets: the
// key names the account.
type Keys struct {
	APIKey Secret
	Secret Secret
}

// Config is how to reach the venue, shared by every part.
type Config struct {
	Endpoints Endpoints
	// Env names the environment for display ("testnet", "production",
	// "emulator").
	Env  string
	Keys Keys
	// Quote is the venue's quote asset that our symbols' USD stands for:
	// BTC-USD trades as BTCUSDT when Quote is USDT (the default).
	Quote string
	// RecvWindow is how long after its timestamp a signed request may
	// still execute (default 5s, at most 60s).
	RecvWindow time.Duration
	// HTTPClient carries the REST calls; nil uses a client with a 10s
	// timeout. Its transport is wrapped by the rate-limit accounting.
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// DefaultQuote is the quote asset our USD maps to.
const DefaultQuote = "USDT"

// DefaultRecvWindow is the venue's own default.
const DefaultRecvWindow = 5 * time.Second

// WithDefaults fills what is unset and checks the rest.
func (c Config) WithDefaults() (Config, error) {
	if c.Quote == "" {
		c.Quote = DefaultQuote
	}
	if c.RecvWindow == 0 {
		c.RecvWindow = DefaultRecvWindow
	}
	if c.RecvWindow < 0 || c.RecvWindow > 60*time.Second {
		return c, errors.New("binance: recvWindow must be within (0, 60s]")
	}
	if c.Keys.APIKey.IsZero() || c.Keys.Secret.IsZero() {
		return c, errors.New("binance: an API key and secret are required")
	}
	if c.Endpoints.REST == "" || c.Endpoints.Stream == "" || c.Endpoints.WSAPI == "" {
		return c, errors.New("binance: the REST, stream and WebSocket API endpoints are required")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// SymbolMap maps our symbols (BTC-USD: base, dash, USD) to the venue's
// (BTCUSDT: base then the quote asset) and back.
type SymbolMap struct{ Quote string }

// ToVenue maps BTC-USD to BTCUSDT.
func (m SymbolMap) ToVenue(symbol string) (string, error) {
	base, quote, ok := strings.Cut(symbol, "-")
	if !ok || base == "" || quote != "USD" {
		return "", fmt.Errorf("symbol %q: a live venue trades BASE-USD symbols, USD standing for %s", symbol, m.Quote)
	}
	return base + m.Quote, nil
}

// FromVenue maps BTCUSDT back to BTC-USD; ok is false for a symbol that
// is not quoted in m.Quote.
func (m SymbolMap) FromVenue(v string) (string, bool) {
	base, ok := strings.CutSuffix(v, m.Quote)
	if !ok || base == "" {
		return "", false
	}
	return base + "-USD", true
}

// Base is the base asset of one of our symbols (BTC of BTC-USD).
func Base(symbol string) string { b, _, _ := strings.Cut(symbol, "-"); return b }
