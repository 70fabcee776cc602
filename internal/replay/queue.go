package replay

import (
	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/money"
)

// pending is an event read from the file but not yet handed out. A candle
// makes several, spread over its interval, so events from later rows can
// fall between them; the queue puts them back in time order.
type pending struct {
	ns        int64  // Unix nanoseconds
	seq       uint64 // order read, to break ties by row
	sym       int32
	kind      market.EventKind
	aggressor int8
	// The touch a book event sets, or the one a trade carries if its
	// symbol has had no quote yet.
	bid, bidSize, ask, askSize money.Decimal
	price, size                money.Decimal
}

func (p *pending) before(q *pending) bool {
	return p.ns < q.ns || p.ns == q.ns && p.seq < q.seq
}

// queue is a binary min-heap of pending events. It is written out rather
// than built on container/heap, whose interface boxes every element pushed:
// an allocation per event.
type queue []pending

func (q *queue) push(p pending) {
	*q = append(*q, p)
	h := *q
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h[i].before(&h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

func (q *queue) pop() pending {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < n && h[l].before(&h[least]) {
			least = l
		}
		if r < n && h[r].before(&h[least]) {
			least = r
		}
		if least == i {
			break
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
	*q = h
	return top
}
