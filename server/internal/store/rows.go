package store

import (
	"time"

	"github.com/tradectl/tradectl/internal/matching"
	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/orders"
	"github.com/tradectl/tradectl/internal/portfolio"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
)

// Session states the store itself gives meaning to. Others (FAILED) are
// the session package's and stored as they are named.
const (
	StateStarting    = "STARTING"
	StateRunning     = "RUNNING"
	StateStopping    = "STOPPING"
	StateInterrupted = "INTERRUPTED"
	// StateStopped with orders kept open can be resumed (ResumeSession).
	StateStopped = "STOPPED"
	// StateFailed with orders open (a stop whose loop did not return left
	// them unsettled) can be resumed too.
	StateFailed = "FAILED"
)

// SessionRecord is a session as stored.
type SessionRecord struct {
	ID string
	// ResumedFrom is the session this one continues, "" if none.
	ResumedFrom   string
	State, Reason string
	SettingsJSON  []byte
	Started       time.Time
	// Ended is zero while the session is active.
	Ended time.Time
	// LastTick is the time of the last committed Batch, zero if none.
	LastTick    time.Time
	SummaryJSON []byte
	// Counters are as of LastTick.
	Counters Counters
}

// Counters are a session's running totals, committed with each tick so
// that they always agree with the rows committed with them.
type Counters struct {
	Ticks, Events, Orders, Fills, Refused uint64
	// Traded is the session's trading time so far, across resumes.
	Traded time.Duration
}

// Batch is what one tick changed. The store keeps none of its slices.
type Batch struct {
	SessionID string
	// Time is the tick's; it becomes the session's LastTick.
	Time        time.Time
	NewOrders   []OrderRow
	Transitions []TransitionRow
	Fills       []FillRow
	// Events are the tick's order events in the order they happened.
	// CommitTick numbers them: it sets each one's Seq (the only field of
	// a Batch it writes, with EquityEvery).
	Events []EventRow
	// Refusals are added to the session's counts of refused intents.
	Refusals []RefusalRow
	// Portfolio, Risk and Venue replace the stored state when not nil.
	Portfolio *PortfolioRow
	Risk      *RiskRow
	Venue     *matching.State
	// Counters replace the session's when not nil.
	Counters *Counters
	// Equity, when not nil, is appended to the session's equity curve.
	Equity *EquityRow
	// Peak, when not nil, replaces the session's peak and largest
	// drawdown (LoadEquityPeak): the loop sends it when they changed.
	Peak *EquityPeak
	// EquityEvery is set by CommitTick when it appended Equity: the
	// curve's period from then on, which grows as the curve is halved
	// (MaxEquityPoints).
	EquityEvery time.Duration
}

// OrderRow is an order as submitted. It starts in state NEW, with history
// row 0 saying so.
type OrderRow struct {
	ClientID string
	// Seq is the loop's counter that made ClientID, from 1, unique in the
	// session (see Store.MaxOrderSeq).
	Seq           uint64
	Spec          venue.OrderSpec
	DecisionPrice money.Decimal
	Created       time.Time
}

// TransitionRow is one change of an order's state: Seq is 1, 2, 3... per
// order, with no gaps, so that a batch retried after an unknown outcome is
// refused with ErrDuplicate instead of applied twice.
type TransitionRow struct {
	ClientID          string
	Seq               int
	State             venue.OrderState
	Reason            string
	Filled, Remaining money.Decimal
	Time              time.Time
}

// FillRow is one fill of an order. Seq is 1, 2, 3... per order: a fill
// with a stored (session, ClientID, Seq) is refused with ErrDuplicate.
type FillRow struct {
	ClientID string
	Seq      int
	orders.Fill
	// Symbol and Side are the order's, set by ListFills; writes ignore
	// them.
	Symbol string
	Side   venue.Side
}

// EventRow is one order event: the history row it made (0 for the NEW
// of a submission) and the fill, if any (Fill 0 for none), of its order.
type EventRow struct {
	ClientID      string
	History, Fill int
	// AveragePrice and Fees are the order's after the event.
	AveragePrice, Fees money.Decimal
	// Seq is set by CommitTick: the event's daemon-wide sequence number.
	Seq uint64
}

// PortfolioRow is the account after a tick, as portfolio.Restore takes it.
type PortfolioRow = portfolio.State

// RiskRow is the kill switch and the equity figures its drawdowns are
// measured from.
type RiskRow struct {
	State  risk.State
	Reason string
	// Since is when the guard halted; zero unless halted.
	Since                           time.Time
	StartEquity, PeakEquity, Equity money.Decimal
	// SentTimes are the unix nanoseconds of the orders in the guard's
	// orders-per-second window, oldest first.
	SentTimes []int64
}

// AuditRow is one control RPC.
type AuditRow struct {
	Time           time.Time
	Peer, Identity string
	Method, Args   string
	// Code is the gRPC status code's name ("OK", "PERMISSION_DENIED"),
	// Error its message.
	Code, Error string
	// Refused marks a call refused before any handler ran (no valid
	// token, over a rate). Retention drops the oldest refused rows past
	// Options.MaxRefusedAudit; every other row is kept.
	Refused bool
	// Count is how many refusals of one peer, method and reason the row
	// stands for (0 reads as 1); Time is the last of them.
	Count int
}

// RefusalRow counts the refusals of one kind (rule, symbol, side): in a
// batch, those of its tick; read back, those of the whole session.
type RefusalRow struct {
	Rule, Symbol string
	Side         venue.Side
	Count        uint64
	First, Last  time.Time
	// Reason is the latest refusal's text.
	Reason string
}
