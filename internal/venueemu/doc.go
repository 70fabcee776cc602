// Package venueemu is the rehearsal venue: a fake Binance Spot on
// loopback that serves the subset of its REST API, market streams and
// WebSocket API that tradectl's live adapter uses, so the complete live
// path (signing, streams, reconciliation, rate limits, faults) runs on this
// machine without the internet.
//
// Behind the wire it is this project's own simulated market
// (internal/paper's Sim, paced by the machine's clock) and matching engine
// (internal/matching): an order priced through the simulated book fills
// against it; a resting order fills as the market moves through it. It
// keeps per-symbol order and trade ids, balances locked by resting orders,
// commission in the quote asset, and a Ledger of every order request it
// received, for tests to compare with what the client believes. A fault
// plan (Faults, also POST /emulator/faults) makes it misbehave on purpose.
//
// What it serves: GET /api/v3/ping, time, exchangeInfo, depth, avgPrice;
// signed (HMAC-SHA256, X-MBX-APIKEY, timestamp within recvWindow) GET
// /api/v3/account, POST/GET/DELETE /api/v3/order (LIMIT GTC or IOC,
// LIMIT_MAKER, MARKET by quantity; newOrderRespType ACK, RESULT, FULL), GET
// /api/v3/openOrders and /api/v3/myTrades; the X-MBX-USED-WEIGHT-1M and
// X-MBX-ORDER-COUNT-10S/-1D headers, with the weights enforced (429 with
// Retry-After, then 418); /ws/<symbol>@depth[@100ms] and
// /stream?streams=a/b (both at the market's step); and /ws-api/v3 with
// userDataStream.subscribe.signature, userDataStream.unsubscribe, ping and
// time, whose subscription carries executionReport,
// outboundAccountPosition, balanceUpdate and eventStreamTerminated events.
//
// What it does not: order lists, cancel-replace, amends, FOK, quoteOrderQty,
// self-trade prevention, order entry over the WebSocket API, listenKeys,
// SBE, more than one account; fees in the base asset or BNB; avgPrice is
// the current mid, not a 5-minute average; our orders never move the
// simulated book (the matching engine's own limitation).
//
// It must never listen beyond loopback, never touch the disk, never use
// floats for prices or quantities, and never speak a private dialect: its
// messages have the keys and JSON types of Binance's documented examples
// (testdata/binance, checked by the shape test).
package venueemu
