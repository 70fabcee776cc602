package daemon

import "github.com/tradectl/tradectl/server/internal/transport"

// Limits bound what clients can make the daemon hold or do (see
// server/internal/transport); a zero field takes its default.
type Limits = transport.Limits

// Defaults of the limits tradingd has flags for.
const (
	DefaultMaxWatchers      = transport.DefaultMaxWatchers
	DefaultMaxOrderWatchers = transport.DefaultMaxOrderWatchers
	DefaultMaxConns         = transport.DefaultMaxConns
	DefaultMaxConnsPerPeer  = transport.DefaultMaxConnsPerPeer
	DefaultMaxPublicStreams = transport.DefaultMaxPublicStreams
)

// DefaultControlRate is 20 calls a second per peer, in bursts of up to 40.
var DefaultControlRate = transport.DefaultControlRate
