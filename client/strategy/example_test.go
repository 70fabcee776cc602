package strategy_test

import (
	"context"
	"log"
	"os/signal"
	"syscall"

	"github.com/tradectl/tradectl/client"
	"github.com/tradectl/tradectl/client/strategy"
)

// buyDips buys 0.01 at market whenever the spread is at most one tick and
// it holds nothing and has nothing in flight; the daemon's risk guard has
// the last word on every order.
type buyDips struct{ strategy.Base }

func (s *buyDips) OnBook(a strategy.Account, b *strategy.Book, d *strategy.Decisions) {
	f := a.Filters(b.Symbol)
	if !a.Position(b.Symbol).IsZero() || a.OpenOrders(b.Symbol) > 0 || b.Ask.Sub(b.Bid).Cmp(f.TickSize) > 0 {
		return
	}
	qty := f.Quantity(strategy.MustDecimal("0.01"))
	if f.Tradable(qty, b.Ask) {
		_, _ = d.Place(strategy.PlaceOrder{Symbol: b.Symbol, Side: strategy.Buy, Type: strategy.Market,
			TimeInForce: strategy.IOC, Quantity: qty})
	}
}

func (s *buyDips) OnRefused(a strategy.Account, r *strategy.Refusal) {
	log.Printf("refused %s: %s %s", r.Tag, r.Reason, r.Message) // e.g. ORDER_REFUSED by a risk limit
}

func ExampleRun() {
	tokenFile, _ := client.DefaultTokenFile() // where tradectl looks too
	c, err := client.New(client.DefaultAddr, client.WithTokenFile(tokenFile))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// The session was started with `tradectl start --paper --strategy remote:dips`.
	hello := strategy.Hello{Name: "dips", Version: "1", Kinds: []strategy.Kind{strategy.KindBook}}
	if err := strategy.Run(ctx, c.Conn(), hello, &buyDips{}); err != nil && ctx.Err() == nil {
		log.Fatal(err) // the status says why: STRATEGY_NOT_EXPECTED, STRATEGY_ATTACHED, ...
	}
}
