package session

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tradectl/tradectl/internal/chaos"
	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/venue"
	"github.com/tradectl/tradectl/server/internal/store"
)

// journal is the coordinator's Journal over the store: it turns a tick into
// one store batch, numbering each order's transitions and fills as the
// store's keys want. The numbering only advances once a commit went
// through, so a failed tick is retried whole with the next one. A retry
// that finds its rows stored already (the store answers ErrDuplicate: the
// first attempt committed after all) is an error, not a success: the batch
// may carry newer events too, and dropping them silently would lose them.
// The coordinator halts trading on any commit error.
type journal struct {
	st        store.Store
	sessionID string
	// mu guards ended and inflight. ended is set (end) before the
	// session's end is recorded: a loop that was stuck past the stop
	// deadline and finishes its tick later must not add to a session the
	// store already closed, nor, once the session is resumed, to the
	// resumed run's records, whose numbering it does not know. A commit
	// already under way when the session ends has its context cancelled by
	// end itself (inflight), so that it is refused unless it had already
	// landed; the resume waits until none is under way (busy), so that it
	// reads the store after the old run's last write, never in the middle
	// of one. ended stays a flag under mu, not a latch: begin checks it and
	// registers its commit in inflight in one critical section, end sets it
	// and cancels inflight in one, and that is what keeps a commit from
	// slipping in uncancelled after the end.
	mu    sync.Mutex
	ended bool
	// inflight cancels the commits under way. end calls them itself, before
	// it returns: a context.AfterFunc would cancel them on a goroutine of
	// its own, which a commit released at once could outrun.
	inflight map[*int]context.CancelFunc
	// seqs are the last transition and fill numbers of each open order.
	seqs map[string]orderSeqs
	// tradedBefore is the trading time of the session's earlier runs
	// (before a crash); runStart is when this run began, zero if it
	// never ran (an abandoned session's last commit).
	tradedBefore time.Duration
	runStart     time.Time
	// lastPoint is when the last equity point was committed, zero before
	// this run's first, so that a resumed run marks its start at once;
	// pointEvery is the curve's period as the store last said it
	// (store.Batch.EquityEvery), kept by the store across restarts.
	lastPoint  time.Time
	pointEvery time.Duration
	// peak is the session's peak and largest drawdown as last committed:
	// a tick sends them only when they changed (zero: not yet this run).
	peak coordinator.EquityPeak
}

type orderSeqs struct{ transitions, fills int }

func newJournal(st store.Store, sessionID string) *journal {
	return &journal{st: st, sessionID: sessionID, seqs: make(map[string]orderSeqs),
		inflight: make(map[*int]context.CancelFunc)}
}

// begin admits a commit unless the session has ended; it runs on the
// returned context, which end cancels, and calls done when it returns.
func (j *journal) begin(ctx context.Context) (_ context.Context, done func(), err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ended {
		return nil, nil, fmt.Errorf("session %s has ended: a tick finished after its stop is not recorded", j.sessionID)
	}
	ctx, cancel := context.WithCancel(ctx)
	key := new(int)
	j.inflight[key] = cancel
	return ctx, func() {
		cancel()
		j.mu.Lock()
		delete(j.inflight, key)
		j.mu.Unlock()
	}, nil
}

// end refuses every later commit and cancels the one under way.
func (j *journal) end() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ended = true
	for _, cancel := range j.inflight {
		cancel()
	}
}

// busy reports whether a commit begun before the end is still under way.
func (j *journal) busy() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.inflight) > 0
}

// Commit implements coordinator.Journal.
func (j *journal) Commit(ctx context.Context, t *coordinator.Tick) error {
	ctx, done, err := j.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	traded := j.tradedBefore
	if !j.runStart.IsZero() {
		traded += t.Time.Sub(j.runStart)
	}
	b := store.Batch{SessionID: j.sessionID, Time: t.Time, Venue: t.Venue, Counters: &store.Counters{
		Ticks: t.Counts.Ticks, Events: t.Counts.Events, Orders: t.Counts.Orders, Fills: t.Counts.Fills,
		Refused: t.Counts.Rejects, Traded: traded}}
	seqOf := make(map[string]uint64, len(t.NewOrders))
	for _, n := range t.NewOrders {
		seqOf[n.ClientID] = n.Seq
	}
	next := make(map[string]orderSeqs) // numbering as this batch advances it
	for i := range t.Events {
		e := &t.Events[i]
		o := &e.Order
		if o.State == venue.StateNew {
			b.NewOrders = append(b.NewOrders, store.OrderRow{ClientID: o.ClientID, Seq: seqOf[o.ClientID],
				Spec: o.Spec, DecisionPrice: o.DecisionPrice, Created: o.Created})
			b.Events = append(b.Events, store.EventRow{ClientID: o.ClientID})
			next[o.ClientID] = orderSeqs{}
			continue
		}
		sq, ok := next[o.ClientID]
		if !ok {
			sq = j.seqs[o.ClientID]
		}
		sq.transitions++
		b.Transitions = append(b.Transitions, store.TransitionRow{ClientID: o.ClientID, Seq: sq.transitions,
			State: o.State, Reason: o.Reason, Filled: o.Filled, Remaining: o.Remaining, Time: o.Updated})
		ev := store.EventRow{ClientID: o.ClientID, History: sq.transitions, AveragePrice: o.AveragePrice, Fees: o.Fees}
		if e.HasFill() {
			sq.fills++
			b.Fills = append(b.Fills, store.FillRow{ClientID: o.ClientID, Seq: sq.fills, Fill: e.Fill})
			ev.Fill = sq.fills
		}
		b.Events = append(b.Events, ev)
		next[o.ClientID] = sq
	}
	for _, r := range t.Refusals {
		b.Refusals = append(b.Refusals, store.RefusalRow{Rule: r.Rule, Symbol: r.Symbol, Side: r.Side, Count: r.Count,
			First: r.First, Last: r.Last, Reason: r.Reason})
	}
	p := t.Portfolio
	b.Portfolio = &p
	b.Risk = riskRow(t.Risk)
	if j.lastPoint.IsZero() || t.Time.Sub(j.lastPoint) >= j.pointEvery {
		b.Equity = &store.EquityRow{Time: t.Time, Equity: t.Equity, Peak: t.Peak.Peak}
	}
	if t.Peak != j.peak {
		b.Peak = &store.EquityPeak{Peak: t.Peak.Peak, MaxDrawdown: t.Peak.MaxDrawdown}
	}
	if err := chaos.Fail(chaos.Store); err != nil {
		return err
	}
	if err := j.st.CommitTick(ctx, &b); err != nil {
		return err
	}
	// The events go out (Flush publishes them) with the numbers the store
	// gave them, so a watcher that reconnects, even to a restarted daemon,
	// resumes after the last one it saw.
	for i := range t.Events {
		t.Events[i].Seq, t.Events[i].FillSeq = b.Events[i].Seq, uint32(b.Events[i].Fill)
	}
	if b.Equity != nil {
		j.lastPoint, j.pointEvery = t.Time, b.EquityEvery
	}
	j.peak = t.Peak
	for id, sq := range next {
		j.seqs[id] = sq
	}
	for i := range t.Events {
		if o := &t.Events[i].Order; o.State.Final() {
			delete(j.seqs, o.ClientID)
		}
	}
	return nil
}

// riskRow is the guard's state as the store keeps it (read back by
// assemble's restore).
func riskRow(g risk.GuardState) *store.RiskRow {
	return &store.RiskRow{State: g.State, Reason: g.Reason, Since: g.Since,
		StartEquity: g.Start, PeakEquity: g.Peak, Equity: g.Equity, SentTimes: g.SentTimes}
}

// adopt seeds the numbering of an order a resumed session carries on.
func (j *journal) adopt(clientID string, transitions, fills int) error {
	if _, ok := j.seqs[clientID]; ok {
		return fmt.Errorf("order %q adopted twice", clientID)
	}
	j.seqs[clientID] = orderSeqs{transitions: transitions, fills: fills}
	return nil
}

var _ coordinator.Journal = (*journal)(nil)
