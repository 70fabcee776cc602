package orders

import (
	"fmt"
	"testing"

	"github.com/tradectl/tradectl/server/broker"
	"github.com/tradectl/tradectl/server/money"
)

// BenchmarkApplyFill is one fill report applied: orders of 4 fills each,
// submitted and accepted off the clock in batches.
func BenchmarkApplyFill(b *testing.B) {
	book := NewBook("s1", 1024)
	const batch = 1024
	var reports []broker.ExecutionReport
	next := 0
	b.ReportAllocs()
	for b.Loop() {
		if next == len(reports) {
			b.StopTimer()
			reports, next = reports[:0], 0
			for range batch {
				id := fmt.Sprint(book.Counts().Submitted)
				mustSubmit(b, book, id, buy("4"))
				step(b, book, id, broker.StateAccepted, "", "")
				o := mustGet(b, book, id)
				for k := range 4 {
					state := broker.StatePartiallyFilled
					if k == 3 {
						state = broker.StateFilled
					}
					r := rep(o, state, "1", "100.25")
					reports = append(reports, *r)
					o.Filled, o.Remaining = r.Filled, r.Remaining
				}
			}
			b.StartTimer()
		}
		if _, err := book.Apply(&reports[next]); err != nil {
			b.Fatal(err)
		}
		next++
	}
}

// BenchmarkPublish is one event offered to 100 subscribers, drained off
// the clock so none lags.
func BenchmarkPublish(b *testing.B) {
	f := NewFeed()
	defer f.Close()
	subs := make([]*Subscription, 100)
	for i := range subs {
		subs[i] = mustSubscribe(b, f, 1024)
	}
	e := Event{Order: Order{ClientID: "o", SessionID: "s1", Spec: buy("1"), State: broker.StatePartiallyFilled,
		Filled: money.FromInt(1)}, Fill: Fill{Quantity: money.FromInt(1), Price: money.FromInt(100)}}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		f.Publish(e)
		if n++; n == 1024 {
			b.StopTimer()
			for _, s := range subs {
				for len(s.C()) > 0 {
					<-s.C()
				}
			}
			n = 0
			b.StartTimer()
		}
	}
	if f.Len() != len(subs) {
		b.Fatalf("%d subscribers lagged", len(subs)-f.Len())
	}
}
