// Package replay owns the replay of recorded market data for backtests: it
// reads quotes, trades and candles from a CSV file (the format is in
// FORMAT.md) and hands them out as a market.Source, so the trading loop
// cannot tell a replay from the simulated market.
//
// It must never load a file whole, never allocate per event once warmed up,
// never reorder or guess at data it does not understand (an out-of-order
// time, an unknown column, symbol or type, a malformed number or a crossed
// quote stops the replay with an error naming the line and column), and
// never use floating point for prices or sizes.
//
// # Format in brief
//
// A header row names the columns, in any order: time, symbol and type, then
// the columns the file's rows need:
//
//	quote:  bid, bid_size, ask, ask_size
//	trade:  price, size, side (buy or sell: the aggressor)
//	candle: open, high, low, close, volume, interval (such as 1m)
//
// Each row fills the cells of its type and leaves the others empty. Times
// are RFC 3339 in UTC ("2026-01-02T03:04:05.25Z"), never decreasing from row
// to row; numbers are plain decimals of at most 8 places. For example:
//
//	time,symbol,type,price,size,side,bid,bid_size,ask,ask_size
//	2026-01-02T00:00:00Z,BTC-USD,quote,,,,59994,1.5,60006,0.8
//	2026-01-02T00:00:00.05Z,BTC-USD,trade,60006,0.25,buy,,,,
//
// # Events
//
// A quote is an EventBook with a one-level book. A trade is an EventTrade
// carrying the symbol's last quote; before the symbol's first quote it
// carries a touch made up from the trade: its price on the aggressor's side
// and the other side Options.SpreadBps away. A candle becomes four points, at
// its open time and a quarter, a half and three quarters of its interval
// later: open, then low and high (high and low for a falling candle), then
// close; each point is an EventBook with the point's price at the touch and
// an EventTrade there for a quarter of the volume. Events come out in time
// order, ties in the order of the rows they come from.
package replay
