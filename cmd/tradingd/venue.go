package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/server/daemon"
)

// The environment variables that may carry the venue's keys instead of a
// file.
const (
	envAPIKey = "TRADECTL_BINANCE_API_KEY"
	envSecret = "TRADECTL_BINANCE_SECRET"
)

// venueFlags say where live sessions trade. Keys are read into
// binance.Secret at once and never held as a string beyond that.
type venueFlags struct {
	venue, env, url, keysFile, quote string
}

func (v *venueFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&v.venue, "venue", "", "trade live sessions (tradectl start without --paper) on this venue: binance; without it only paper sessions run")
	fs.StringVar(&v.env, "venue-env", binance.EnvTestnet, "the venue's environment: testnet or production (real money: every risk limit must be set)")
	fs.StringVar(&v.url, "venue-url", "", "a rehearsal venue's base URL on loopback (cmd/venue-emulator), instead of --venue-env")
	fs.StringVar(&v.keysFile, "venue-keys", "", "file with the API key and secret, mode 0600, lines api_key=... and secret=... (else env "+
		envAPIKey+" and "+envSecret+")")
	fs.StringVar(&v.quote, "venue-quote", binance.DefaultQuote, "the venue asset that symbols' USD stands for (BTC-USD trades as BTCUSDT)")
}

// config turns the flags into the daemon's venue, nil without --venue.
// Errors name the flag or variable at fault and never a key.
func (v venueFlags) config(given map[string]bool) (*daemon.VenueConfig, error) {
	if v.venue == "" {
		for _, name := range []string{"venue-env", "venue-url", "venue-keys", "venue-quote"} {
			if given[name] {
				return nil, fmt.Errorf("--%s needs --venue", name)
			}
		}
		return nil, nil
	}
	// A flag given empty is refused, not taken as unset: --venue-quote ''
	// traded as USDT, and --venue-keys '' fell back to the environment.
	for name, val := range map[string]string{"venue-env": v.env, "venue-url": v.url, "venue-keys": v.keysFile, "venue-quote": v.quote} {
		if given[name] && val == "" {
			return nil, fmt.Errorf("--%s is empty", name)
		}
	}
	env := v.env
	if v.url != "" {
		if given["venue-env"] {
			return nil, errors.New("--venue-url names a rehearsal venue: leave out --venue-env")
		}
		env = daemon.EnvEmulator
	}
	keys, err := v.keys()
	if err != nil {
		return nil, err
	}
	c := &daemon.VenueConfig{Venue: v.venue, Env: env, URL: v.url, Keys: keys, Quote: v.quote}
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("--venue: %w", err)
	}
	return c, nil
}

// keys reads the keys from --venue-keys, else from the environment; both
// at once is refused rather than one silently winning.
func (v venueFlags) keys() (binance.Keys, error) {
	_, envKey := os.LookupEnv(envAPIKey)
	_, envSec := os.LookupEnv(envSecret)
	if v.keysFile != "" {
		if envKey || envSec {
			return binance.Keys{}, fmt.Errorf("the venue's keys are given twice: --venue-keys and %s/%s; give one", envAPIKey, envSecret)
		}
		return readKeysFile(v.keysFile)
	}
	k := binance.Keys{APIKey: binance.NewSecret(os.Getenv(envAPIKey)), Secret: binance.NewSecret(os.Getenv(envSecret))}
	if k.APIKey.IsZero() || k.Secret.IsZero() {
		return binance.Keys{}, fmt.Errorf("--venue needs the API key and secret: --venue-keys FILE, or %s and %s", envAPIKey, envSecret)
	}
	return k, nil
}

// readKeysFile reads the keys file as the daemon checks it (see
// daemon.ReadVenueKeys), naming the flag.
func readKeysFile(path string) (binance.Keys, error) {
	k, err := daemon.ReadVenueKeys(path)
	if err != nil {
		return binance.Keys{}, fmt.Errorf("--venue-keys: %w", err)
	}
	return k, nil
}
