// Package venue defines what a trading session and a venue say to each
// other: the Venue interface the trading loop drives (the paper matching
// engine implements it; a live exchange connection will be one more
// implementation), and the vocabulary they share: sides, order specs,
// states, execution reports, fills and the venue's filters. The strategy,
// the risk guard and the books speak it too. It owns no venue and no
// state, and must never import one.
package venue
