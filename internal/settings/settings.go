// Package settings owns a trading session's parameters: the Settings type,
// their validation (refusals name the field as the API does, for the
// BadRequest a client sees), their defaults, and the diff that tells a
// repeated start from one that asks for something else, and the terms the
// parts are built with (Margin, PaperVenue). tradingd, the backtester and
// tradectl share it, so a backtest refuses exactly what a session would and
// trades on the same terms.
//
// It is a leaf: it may import value types and the registries settings are
// checked against (money, risk, paper's instruments, strategy's specs,
// matching's default fees), and
// must never import the session, the coordinator, the store, the service or
// the wire (settingspb translates to and from the API).
package settings

import (
	"maps"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/strategy"
)

// Mode is paper or live.
type Mode int

const (
	ModeUnspecified Mode = iota
	ModePaper
	ModeLive
)

// Limits on settings: generous, but they keep a typo from starting a loop
// that ticks every nanosecond or a session that reports once a year.
const (
	MaxSymbols        = 50
	MinTickInterval   = 10 * time.Millisecond
	MaxTickInterval   = time.Hour
	MinHealthInterval = 100 * time.Millisecond
	MaxHealthInterval = 24 * time.Hour
	MaxDuration       = 365 * 24 * time.Hour
	DefaultTick       = time.Second
	DefaultHealth     = 300 * time.Second
	DefaultStrategy   = "sma"
	MaxFeeBps         = 1000
	MaxLatency        = time.Minute
)

// DefaultStartingCash of a paper account, in USD.
var DefaultStartingCash = money.FromInt(100_000)

// maxStartingCash keeps every notional far inside money.Decimal's range.
var maxStartingCash = money.FromInt(1_000_000_000)

// DefaultSymbols is what a session trades when none are named.
var DefaultSymbols = []string{"BTC-USD"}

// Settings are a session's parameters. Zero durations mean "default", except
// Duration, where zero means "until stopped". A field added here is compared
// in Differences too (TestDifferencesCoverEveryField fails until it is).
type Settings struct {
	Mode           Mode
	Symbols        []string
	Duration       time.Duration
	HealthInterval time.Duration
	TickInterval   time.Duration
	AutoRestart    bool
	// Seed of the paper market; zero lets the daemon pick one.
	Seed uint64
	// Strategy and its parameters (see strategy.Specs); "" is sma.
	Strategy string
	Params   map[string]string
	// Risk limits; nil takes risk.DefaultLimits.
	Risk *risk.Limits
	// Venue fees in basis points; nil takes the venue's defaults.
	MakerFeeBps, TakerFeeBps *int64
	// Latency from submission to the venue.
	Latency time.Duration
	// StartingCash of the paper account; zero takes DefaultStartingCash.
	StartingCash money.Decimal
	// Account is cash (the default) or margin, with a margin account's
	// borrowing limit (notional at the marks) and yearly interest.
	Account       Account
	MaxBorrow     money.Decimal
	BorrowRateBps int64
	// A remote strategy's supervision (see remote.go): what becomes of
	// its open orders when it detaches, how long the session waits for it
	// to (re-)attach, and how long an event may wait for its answer
	// before health says so. Zero for a built-in strategy.
	OnDetach      DetachPolicy
	AttachGrace   time.Duration
	AnswerTimeout time.Duration
}

// effectiveTick is the tick interval the session runs at.
func (s Settings) effectiveTick() time.Duration {
	if s.TickInterval == 0 {
		return DefaultTick
	}
	return s.TickInterval
}

// WithDefaults fills what the client left unset; health is the daemon's
// default health interval.
func (s Settings) WithDefaults(health time.Duration) Settings {
	if len(s.Symbols) == 0 {
		s.Symbols = slices.Clone(DefaultSymbols)
	} else {
		s.Symbols = slices.Clone(s.Symbols)
	}
	s.TickInterval = s.effectiveTick()
	if s.HealthInterval == 0 {
		s.HealthInterval = health
	}
	if s.Strategy == "" {
		s.Strategy = DefaultStrategy
	}
	// The strategy's parameters with their defaults, so that asking for
	// a default explicitly is asking for the same session. Validate has
	// built the strategy already, so this cannot fail. A remote strategy
	// has none here: it sends its own in its hello.
	if s.IsRemote() {
		s.Params = maps.Clone(s.Params)
	} else if p, err := strategy.Effective(s.Strategy, s.Params); err == nil {
		s.Params = p
	} else {
		s.Params = maps.Clone(s.Params)
	}
	if s.Risk == nil {
		l := risk.DefaultLimits()
		s.Risk = &l
	}
	venue := matching.DefaultConfig()
	if s.MakerFeeBps == nil {
		s.MakerFeeBps = &venue.MakerFeeBps
	}
	if s.TakerFeeBps == nil {
		s.TakerFeeBps = &venue.TakerFeeBps
	}
	if s.StartingCash.IsZero() {
		s.StartingCash = DefaultStartingCash
	}
	if s.Account == AccountUnspecified {
		s.Account = AccountCash
	}
	s.remoteDefaults()
	return s
}

// SameAs reports whether a request (defaults applied) asks for the session
// that runs with s (see Differences).
func (s Settings) SameAs(req Settings) bool { return len(s.Differences(req)) == 0 }
