package paper

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/market"
	"github.com/tradectl/tradectl/server/money"
)

// DefaultFeeBps is the paper venue's taker fee: 10 bps (0.1%) of notional.
const DefaultFeeBps = 10

// ErrRejected is wrapped by every order rejection, so that callers can tell
// a refused order from a cancelled context.
var ErrRejected = errors.New("paper: order rejected")

// Broker fills market orders in full at the quote the strategy saw: buys at
// the ask, sells at the bid, charging a fee of feeBps on the notional. It
// holds no state beyond the fee, so it is safe for concurrent use.
type Broker struct {
	feeBps int64
}

// NewBroker returns a broker charging feeBps basis points, 0 to 10000.
func NewBroker(feeBps int64) (*Broker, error) {
	if feeBps < 0 || feeBps > 10_000 {
		return nil, fmt.Errorf("paper: fee of %d bps out of range [0, 10000]", feeBps)
	}
	return &Broker{feeBps: feeBps}, nil
}

// FeeBps is the fee rate in basis points.
func (b *Broker) FeeBps() int64 { return b.feeBps }

// Submit fills o against quote and appends the one fill to dst. Fill.Time is
// quote.Time. It returns ctx.Err() if ctx is done, and an error wrapping
// ErrRejected for an order without a client id, with an invalid side or a
// non-positive quantity, for a symbol other than the quote's or not listed,
// against a quote with a non-positive or crossed price, or whose notional
// does not fit in a money.Decimal.
func (b *Broker) Submit(ctx context.Context, o broker.Order, quote market.Quote, dst []broker.Fill) ([]broker.Fill, error) {
	if err := ctx.Err(); err != nil {
		return dst, err
	}
	if err := check(o, quote); err != nil {
		return dst, err
	}
	f, err := b.fill(o, quote)
	if err != nil {
		return dst, fmt.Errorf("%w: order %q: %w", ErrRejected, o.ClientID, err)
	}
	return append(dst, f), nil
}

// fill prices a checked order, turning an overflow of its notional or fee
// into an error rather than a crash of the trading loop.
func (b *Broker) fill(o broker.Order, quote market.Quote) (_ broker.Fill, err error) {
	defer money.RecoverOverflow(&err)
	price := quote.Ask
	if o.Side == broker.Sell {
		price = quote.Bid
	}
	return broker.Fill{
		ClientID: o.ClientID,
		Symbol:   o.Symbol,
		Side:     o.Side,
		Quantity: o.Quantity,
		Price:    price,
		Fee:      o.Quantity.Mul(price).MulBps(b.feeBps),
		Time:     quote.Time,
	}, nil
}

func check(o broker.Order, q market.Quote) error {
	var reason string
	switch {
	case o.ClientID == "":
		reason = "no client id"
	case o.Side != broker.Buy && o.Side != broker.Sell:
		reason = fmt.Sprintf("invalid side %d", o.Side)
	case !o.Quantity.IsPositive():
		reason = "quantity " + o.Quantity.String() + " is not positive"
	case o.Symbol != q.Symbol:
		reason = fmt.Sprintf("order is for %q but the quote is for %q", o.Symbol, q.Symbol)
	case !listed(o.Symbol):
		reason = fmt.Sprintf("unknown symbol %q; supported: %s", o.Symbol, strings.Join(Symbols(), ", "))
	case !q.Bid.IsPositive() || q.Ask.Cmp(q.Bid) < 0:
		reason = fmt.Sprintf("unusable quote: bid %s, ask %s", q.Bid, q.Ask)
	default:
		return nil
	}
	return fmt.Errorf("%w: order %q: %s", ErrRejected, o.ClientID, reason)
}

func listed(symbol string) bool {
	_, ok := Lookup(symbol)
	return ok
}
