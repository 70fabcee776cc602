package daemon

import (
	"github.com/tradectl/tradectl/server/internal/security"
)

// The daemon's names for the security pieces tradingd configures, so that
// tradingd imports the daemon alone; the pieces themselves live in
// server/internal/security.
type (
	// Token is the bearer token control calls must present.
	Token = security.Token
	// TLS is the daemon's TLS material, reloaded when its files change.
	TLS = security.TLS
	// TLSFiles names the PEM files TLS is served with.
	TLSFiles = security.TLSFiles
	// Rate is a rate limit: N calls per Per in bursts of Burst, or Off.
	Rate = security.Rate
)

// DefaultReloadInterval is how often the daemon looks at its token and TLS
// files for changes.
const DefaultReloadInterval = security.DefaultReloadInterval

// LoadOrCreateToken reads the token at path, creating a private one if
// there is none; it refuses a file another user could have written.
func LoadOrCreateToken(path string) (Token, error) { return security.LoadOrCreateToken(path) }

// RotateToken replaces the token at path with a fresh one, which a running
// daemon picks up within DefaultReloadInterval or at once on SIGHUP.
func RotateToken(path string) error { return security.RotateToken(path) }

// LoadTLS reads the TLS files now, so that a bad certificate stops the
// daemon at start rather than at the first handshake.
func LoadTLS(f TLSFiles) (*TLS, error) { return security.LoadTLS(f) }

// ParseRate reads "N/s", "N/m" or "N/h" (bursts of 2N), or "off".
func ParseRate(s string) (Rate, error) { return security.ParseRate(s) }
