package strategy

import (
	"fmt"
	"slices"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// MaxGridLevels bounds the levels per side, and so the orders a grid keeps.
const MaxGridLevels = 50

// GridConfig configures the grid market maker.
type GridConfig struct {
	// Levels is the number of orders on each side, 1 to MaxGridLevels.
	Levels int
	// SpacingBps is the distance between levels in basis points of the
	// center; Levels × SpacingBps < 10000, so every buy is priced above 0.
	SpacingBps int64
	// Quantity is the size of every order, in the base asset.
	Quantity money.Decimal
	// RecenterLevels is how many levels the mid may drift from the center
	// before the grid is cancelled and placed again around it; at least 1.
	RecenterLevels int
	// MaxPosition is the inventory cap, in the base asset: no buys are
	// placed while the position is at or above it, no sells while it is
	// at or below its negative. Orders already resting may still fill, so
	// the position can pass the cap by up to Levels × Quantity. Zero means
	// no cap.
	MaxPosition money.Decimal
}

// DefaultGridConfig is five levels a side, 10 bps apart, 0.01 each,
// re-centered after a drift of two levels, holding at most 0.1.
func DefaultGridConfig() GridConfig {
	return GridConfig{Levels: 5, SpacingBps: 10, Quantity: money.MustParse("0.01"), RecenterLevels: 2,
		MaxPosition: money.MustParse("0.1")}
}

// Validate returns a *ParamError naming the first parameter out of range.
func (c GridConfig) Validate() error {
	bad := func(param, format string, args ...any) error {
		return &ParamError{Strategy: "grid", Param: param, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.Levels < 1 || c.Levels > MaxGridLevels:
		return bad("levels", "must be in [1, %d], got %d", MaxGridLevels, c.Levels)
	// Compare by division: the product of a huge spacing and the levels
	// would overflow and pass.
	case c.SpacingBps < 1 || c.SpacingBps > (10_000-1)/int64(c.Levels):
		return bad("spacing_bps", "must be in [1, %d] with %d levels, got %d", (10_000-1)/c.Levels, c.Levels, c.SpacingBps)
	case !c.Quantity.IsPositive():
		return bad("quantity", "must be positive, got %s", c.Quantity)
	case c.RecenterLevels < 1:
		return bad("recenter_levels", "must be at least 1, got %d", c.RecenterLevels)
	case c.MaxPosition.IsNegative():
		return bad("max_position", "must not be negative, got %s", c.MaxPosition)
	}
	return nil
}

// Grid is a market maker. Around a center — the mid of the first usable
// book event of a symbol — it keeps Levels post-only GTC limit buys at
// center − i×step and as many sells at center + i×step (i = 1..Levels,
// step = SpacingBps of the center), Quantity each. On every book event it
// re-places the levels whose orders are gone (filled, cancelled or
// rejected; a level the loop refused waits until the report's RetryAt),
// skipping a level that would cross the touch and, past the
// inventory cap, the side that would grow the position. Orders follow the
// instrument's filters (Context.Filters): prices rounded to the tick away
// from the market (buys down, sells up), Quantity down to the lot, and a
// level worth less than the minimum notional not placed. In a cash
// account it places only the sells its holdings cover (Context.Sellable). When the mid
// drifts more than RecenterLevels steps from the center, it cancels its
// live orders and starts again around the mid. It ignores trades and
// unusable quotes, reads no clock and draws no random numbers: the same
// events and reports give the same actions.
//
// It implements Reporter and needs it: it learns which order sits at
// which level from the reports. It allocates only on the first event of a
// symbol.
type Grid struct {
	cfg    GridConfig
	series map[string]*gridSeries
	// pending are the levels placed and not yet answered, oldest first
	// from head.
	pending []gridRef
	head    int
	// adopted are the orders a resumed session found resting, per symbol
	// (see Adopt): cancelled on the symbol's first event. foreign holds
	// their ids until they are final: their reports answer no placement.
	adopted map[string][]string
	foreign map[string]bool
}

type gridSeries struct {
	centered     bool
	center, step money.Decimal
	// levels are the buys, nearest first, then the sells, nearest first.
	levels []gridLevel
}

type gridLevel struct {
	side  venue.Side
	price money.Decimal
	state levelState
	id    string // the live order's client id
	// retryAt is when a level refused by the loop may be placed again:
	// asking again sooner would only be refused again.
	retryAt time.Time
}

type levelState uint8

const (
	levelEmpty levelState = iota
	levelPending
	levelLive
)

type gridRef struct {
	s     *gridSeries
	level int
}

// NewGrid returns a grid market maker, or the error of cfg.Validate.
func NewGrid(cfg GridConfig) (*Grid, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Grid{cfg: cfg, series: make(map[string]*gridSeries)}, nil
}

// Config returns the configuration the grid runs with.
func (g *Grid) Config() GridConfig { return g.cfg }

// OnEvent implements Strategy.
func (g *Grid) OnEvent(ev *market.Event, ctx Context, dst []Action) []Action {
	if !usableQuote(ev) {
		return dst
	}
	s := g.series[ev.Symbol]
	if s == nil {
		s, dst = g.start(ev.Symbol, dst)
	}
	dst = g.follow(s, ev.Bid.Add(ev.Ask).Half(), dst)
	if !s.step.IsPositive() {
		return dst // a price too small for the spacing: nothing to quote
	}
	return g.quote(s, ev, ctx, dst)
}

// start begins quoting symbol, cancelling the orders adopted in it (see
// Adopt).
func (g *Grid) start(symbol string, dst []Action) (*gridSeries, []Action) {
	s := &gridSeries{levels: make([]gridLevel, 2*g.cfg.Levels)}
	g.series[symbol] = s
	for _, id := range g.adopted[symbol] {
		dst = append(dst, Action{Kind: ActionCancel, CancelID: id})
	}
	delete(g.adopted, symbol)
	return s, dst
}

// follow centers the grid on the first mid, and again, cancelling its live
// levels, once mid moved RecenterLevels steps away.
func (g *Grid) follow(s *gridSeries, mid money.Decimal, dst []Action) []Action {
	switch {
	case !s.centered:
		g.recenter(s, mid)
	case g.head == len(g.pending) && mid.Sub(s.center).Abs().Cmp(s.step.MulInt(int64(g.cfg.RecenterLevels))) > 0:
		// Only with every placement answered: an unanswered one has no
		// id to cancel yet.
		for i := range s.levels {
			if s.levels[i].state == levelLive {
				dst = append(dst, Action{Kind: ActionCancel, CancelID: s.levels[i].id})
			}
		}
		g.recenter(s, mid)
	}
	return dst
}

// quote places the empty levels that may be placed now.
func (g *Grid) quote(s *gridSeries, ev *market.Event, ctx Context, dst []Action) []Action {
	position, limit := ctx.Position(ev.Symbol), g.cfg.MaxPosition
	canBuy := limit.IsZero() || position.Cmp(limit) < 0
	canSell := limit.IsZero() || position.Cmp(limit.Neg()) > 0
	// The venue refuses orders off the instrument's grid: prices go to the
	// tick away from the market, the size down to the lot, and a level
	// worth less than the minimum is not placed.
	f := ctx.Filters(ev.Symbol)
	qty := f.Quantity(g.cfg.Quantity)
	// A cash account refuses sells beyond what it holds: place only the
	// sells it can cover, nearest first (the placements of this event are
	// not reserved yet, so count them here).
	sellable, limited := ctx.Sellable(ev.Symbol)
	for i := range s.levels {
		lv := &s.levels[i]
		if lv.state != levelEmpty || ev.Time.Before(lv.retryAt) {
			continue
		}
		price := f.PassivePrice(lv.side, lv.price)
		// A post-only order that would cross is refused: do not send it.
		if lv.side == venue.Buy && (!canBuy || price.Cmp(ev.Ask) >= 0) ||
			lv.side == venue.Sell && (!canSell || price.Cmp(ev.Bid) <= 0 || limited && sellable.Cmp(qty) < 0) ||
			!f.Tradable(qty, price) {
			continue
		}
		if lv.side == venue.Sell && limited {
			sellable = sellable.Sub(qty)
		}
		dst = append(dst, place(venue.OrderSpec{Symbol: ev.Symbol, Side: lv.side, Type: venue.Limit,
			TIF: venue.GTC, PostOnly: true, Quantity: qty, Price: price}))
		lv.state = levelPending
		g.pending = append(g.pending, gridRef{s, i})
	}
	return dst
}

// Adopt implements Adopter. The grid's center died with the process, and
// the one it takes on the first event is not the old one, so the old
// orders sit at none of its levels: it cancels them on that event, before
// it places its new levels, and so never keeps more than Levels orders a
// side. Their reports (cancelled, or filled or rejected first) answer
// none of its placements and are ignored.
func (g *Grid) Adopt(o venue.OpenOrder) {
	clientID, spec := o.ClientID, o.Spec
	if g.adopted == nil {
		g.adopted, g.foreign = make(map[string][]string), make(map[string]bool)
	}
	g.adopted[spec.Symbol] = append(g.adopted[spec.Symbol], clientID)
	g.foreign[clientID] = true
}

// recenter lays out empty levels around mid.
func (g *Grid) recenter(s *gridSeries, mid money.Decimal) {
	s.centered, s.center, s.step = true, mid, mid.MulBps(g.cfg.SpacingBps)
	n := g.cfg.Levels
	for i := range n {
		off := s.step.MulInt(int64(i + 1))
		// A level keeps the wait its refusal asked for: the limits that
		// refused it (orders a second, cash) do not care about its price,
		// so a re-center must not turn waiting levels into a new burst.
		s.levels[i] = gridLevel{side: venue.Buy, price: mid.Sub(off), retryAt: s.levels[i].retryAt}
		s.levels[n+i] = gridLevel{side: venue.Sell, price: mid.Add(off), retryAt: s.levels[n+i].retryAt}
	}
}

// OnReport implements Reporter: it answers placements and empties the
// levels whose orders are final. Reports of orders the grid cancelled on a
// re-center, and so forgot, are ignored.
func (g *Grid) OnReport(r *venue.ExecutionReport) {
	if g.foreign[r.ClientID] {
		if r.State.Final() {
			delete(g.foreign, r.ClientID)
			// An adopted order that ended before the grid started (a fill
			// a resume's reconciliation applied) is not cancelled: the
			// venue would refuse it, and the session turned DEGRADED.
			g.adopted[r.Symbol] = slices.DeleteFunc(g.adopted[r.Symbol], func(id string) bool { return id == r.ClientID })
		}
		return
	}
	if s := g.series[r.Symbol]; s != nil {
		for i := range s.levels {
			if lv := &s.levels[i]; lv.state == levelLive && lv.id == r.ClientID {
				if r.State.Final() {
					lv.state, lv.id = levelEmpty, ""
				}
				return
			}
		}
	}
	if (r.State != venue.StateAccepted && r.State != venue.StateRejected) || g.head == len(g.pending) {
		return
	}
	ref := g.pending[g.head]
	if g.head++; g.head == len(g.pending) {
		g.pending, g.head = g.pending[:0], 0
	}
	lv := &ref.s.levels[ref.level]
	if r.State == venue.StateRejected {
		// Tried again on the next event at or after RetryAt: at once after
		// a venue's rejection, which carries none.
		lv.state, lv.retryAt = levelEmpty, r.RetryAt
		return
	}
	lv.state, lv.id = levelLive, r.ClientID
}

var gridEntry = entry{
	spec: Spec{
		Name: "grid",
		Description: "Market maker: post-only limit buys below and sells above a center mid, re-placed when filled, " +
			"re-centered when the mid drifts, with an inventory cap.",
		Params: []Param{
			{"levels", "5", "orders on each side, 1 to 50"},
			{"spacing_bps", "10", "distance between levels, in basis points of the center"},
			{"quantity", "0.01", "size of every order, in the base asset"},
			{"recenter_levels", "2", "drift of the mid, in levels, that re-centers the grid"},
			{"max_position", "0.1", "inventory cap in the base asset: no buys at or above it, no sells at or below its negative; 0 = none"},
		},
	},
	build: func(p paramReader) (Strategy, error) {
		var cfg GridConfig
		var err error
		if cfg.Levels, err = p.int("levels"); err != nil {
			return nil, err
		}
		spacing, err := p.int("spacing_bps")
		if err != nil {
			return nil, err
		}
		cfg.SpacingBps = int64(spacing)
		if cfg.Quantity, err = p.decimal("quantity"); err != nil {
			return nil, err
		}
		if cfg.RecenterLevels, err = p.int("recenter_levels"); err != nil {
			return nil, err
		}
		if cfg.MaxPosition, err = p.decimal("max_position"); err != nil {
			return nil, err
		}
		g, err := NewGrid(cfg)
		if err != nil {
			return nil, err
		}
		return g, nil
	},
}
