package market

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// EventKind says what an Event carries.
type EventKind uint8

const (
	// EventBook: the order book (or at least its top) changed.
	EventBook EventKind = iota + 1
	// EventTrade: a trade printed on the venue.
	EventTrade
	// EventHeartbeat carries no market data: a live source emits it when
	// the market is quiet, so that the loop still turns and a live venue
	// can hand over the reports that arrived meanwhile. Only Time is set;
	// the loop shows it to the venue and to nothing else.
	EventHeartbeat
)

// Level is one price level of a book side.
type Level struct {
	Price money.Decimal
	Size  money.Decimal
}

// Book is a depth snapshot, best level first on each side.
type Book struct {
	Bids []Level
	Asks []Level
}

// Event is one market data event. It is a value, passed by copy, so that
// producing and consuming events allocates nothing; Book points into the
// source's own storage and is valid only until the source's next Next call.
type Event struct {
	Kind   EventKind
	Symbol string
	Time   time.Time
	// Bid and Ask are the top of the book after this event (for a trade,
	// the book it traded against). Always set.
	Bid, Ask money.Decimal
	// Book is the depth after this event, or nil when the source has none
	// (a candle replay, say). Owned by the source; copy what you keep.
	Book *Book
	// Price, Size and Aggressor describe the trade of an EventTrade:
	// Aggressor is +1 when a buyer took liquidity, -1 when a seller did.
	Price, Size money.Decimal
	Aggressor   int8
}

// Quote returns the event's top of book.
func (e *Event) Quote() Quote {
	return Quote{Symbol: e.Symbol, Bid: e.Bid, Ask: e.Ask, Time: e.Time}
}

// Source produces market events in time order. The simulated market and
// replayed files implement it, so the coordinator cannot tell them apart: a
// live paper session asks for the events due by now on every tick; a
// backtest asks for everything, as fast as the machine allows.
type Source interface {
	// Next returns the next event due at or before until. ok is false when
	// none is due yet; err is io.EOF when the source is exhausted.
	Next(ctx context.Context, until time.Time) (ev Event, ok bool, err error)
}
