package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/internal/endpoint"
	"github.com/tradectl/tradectl/server/internal/assemble"
)

// VenueConfig is the live venue tradingd trades on (tradingd --venue).
// Keys are binance.Secret: they print, log and marshal as [redacted].
type VenueConfig struct {
	// Venue names the venue: "binance".
	Venue string
	// Env is "testnet", "production", or "emulator" with URL.
	Env string
	// URL is a rehearsal venue's base URL (cmd/venue-emulator), on
	// loopback only: keys are never sent to a venue named by a URL
	// elsewhere.
	URL   string
	Keys  binance.Keys
	Quote string // the venue asset our USD stands for; "" is USDT
}

// EnvEmulator names a rehearsal venue reached by URL.
const EnvEmulator = "emulator"

// Check refuses a venue configuration the daemon would not trade on,
// naming what is wrong and never a key.
func (v VenueConfig) Check() error {
	if v.Venue != "binance" {
		return fmt.Errorf("venue %q: the one venue there is, is binance", v.Venue)
	}
	switch v.Env {
	case binance.EnvTestnet, binance.EnvProduction:
		if v.URL != "" {
			return fmt.Errorf("a venue URL is a rehearsal venue (environment %s), not %s", EnvEmulator, v.Env)
		}
	case EnvEmulator:
		u, err := url.Parse(v.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("venue URL %q: want http://127.0.0.1:PORT", v.URL)
		}
		if !endpoint.IsLoopback(u.Host) {
			return fmt.Errorf("venue URL %q: a rehearsal venue must be on loopback (127.0.0.1, ::1 or localhost)", v.URL)
		}
	default:
		return fmt.Errorf("venue environment %q: want %s or %s (or a rehearsal venue's URL)", v.Env,
			binance.EnvTestnet, binance.EnvProduction)
	}
	if v.Keys.APIKey.IsZero() || v.Keys.Secret.IsZero() {
		return errors.New("the venue needs an API key and its secret")
	}
	if v.Quote != "" && !assetCode(v.Quote) {
		return fmt.Errorf("quote asset %q: want uppercase letters and digits, such as USDT", v.Quote)
	}
	return nil
}

func assetCode(s string) bool {
	if len(s) > 20 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}

// binanceConfig is how the adapter reaches the venue.
func (v VenueConfig) binanceConfig(log *slog.Logger) (binance.Config, error) {
	if err := v.Check(); err != nil {
		return binance.Config{}, err
	}
	c := binance.Config{Env: v.Env, Keys: v.Keys, Quote: v.Quote, Logger: log}
	if v.Env == EnvEmulator {
		c.Endpoints = binance.EmulatorEndpoints(v.URL)
	} else {
		var err error
		if c.Endpoints, err = binance.EndpointsFor(v.Env); err != nil {
			return binance.Config{}, err
		}
	}
	return c.WithDefaults()
}

// liveVenue is the daemon's live venue: the test's, else Binance as cfg
// says; nil without --venue.
func (cfg Config) liveVenue() (assemble.LiveVenue, error) {
	if cfg.venue != nil {
		return cfg.venue, nil
	}
	if cfg.Venue == nil {
		return nil, nil
	}
	bc, err := cfg.Venue.binanceConfig(cfg.Logger.With("venue", "binance"))
	if err != nil {
		return nil, err
	}
	return assemble.Binance(bc), nil
}

// venueKeys are the keys as the log may show them: redacted, so that an
// operator sees keys were given without anyone seeing them.
func (cfg Config) venueKeys() binance.Keys {
	if cfg.Venue == nil {
		return binance.Keys{}
	}
	return cfg.Venue.Keys
}
