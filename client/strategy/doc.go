// Package strategy is the Go SDK for remote strategies: a program that
// drives a tradingd session (started with `--strategy remote:NAME`) or a
// `tradectl backtest --strategy remote:NAME` over StrategyService.RunStrategy.
//
// A strategy implements the Strategy callbacks (embed Base for the ones it
// does not need) and calls Run, which owns the stream: it sends the Hello,
// takes the snapshot, calls the strategy for every event in order, and
// answers every event that needs an answer exactly once, in order, with the
// decisions the callback added to its *Decisions. Run also keeps the
// strategy's Account exact (no float): cash, positions and open orders by
// tag from the snapshot plus every fill, update, refusal and decision since,
// and the symbols' filters for rounding.
//
// It owns only the client side of the protocol and the strategy's view. It
// must never decide anything for the daemon: every decision still passes
// the daemon's risk guard, order state machine and store, and a refused one
// comes back to OnRefused. Run starts no goroutine: the callbacks run on
// the caller's, so a slow callback only delays the strategy's own answers
// (the daemon coalesces or detaches it; it never waits on it in a live
// session).
//
//	// buyDips buys 0.01 at market when the spread is one tick and it
//	// holds nothing and has nothing in flight.
//	type buyDips struct{ strategy.Base }
//
//	func (s *buyDips) OnBook(a strategy.Account, b *strategy.Book, d *strategy.Decisions) {
//		f := a.Filters(b.Symbol)
//		if !a.Position(b.Symbol).IsZero() || a.OpenOrders(b.Symbol) > 0 || b.Ask.Sub(b.Bid).Cmp(f.TickSize) > 0 {
//			return
//		}
//		if qty := f.Quantity(strategy.MustDecimal("0.01")); f.Tradable(qty, b.Ask) {
//			d.Place(strategy.PlaceOrder{Symbol: b.Symbol, Side: strategy.Buy, Type: strategy.Market,
//				TimeInForce: strategy.IOC, Quantity: qty})
//		}
//	}
//
//	// With the session started by `tradectl start --paper --strategy remote:dips`:
//	tokenFile, _ := client.DefaultTokenFile()
//	c, err := client.New(client.DefaultAddr, client.WithTokenFile(tokenFile))
//	...
//	err = strategy.Run(ctx, c.Conn(), strategy.Hello{Name: "dips"}, &buyDips{})
//
// ExampleRun is this program in full; strategytest serves scripted events
// to test a strategy without a daemon.
// See examples/strategies/sma for a complete program.
package strategy
