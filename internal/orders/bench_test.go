package orders

import (
	"fmt"
	"testing"

	"github.com/tradectl/tradectl/internal/venue"
)

// BenchmarkApplyFill is one fill report applied: orders of 4 fills each,
// submitted and accepted off the clock in batches.
func BenchmarkApplyFill(b *testing.B) {
	book := NewBook("s1", 1024)
	const batch = 1024
	var reports []venue.ExecutionReport
	next := 0
	b.ReportAllocs()
	for b.Loop() {
		if next == len(reports) {
			b.StopTimer()
			reports, next = reports[:0], 0
			for range batch {
				id := fmt.Sprint(book.Counts().Submitted)
				mustSubmit(b, book, id, buy("4"))
				step(b, book, id, venue.StateAccepted, "", "")
				o := mustGet(b, book, id)
				for k := range 4 {
					state := venue.StatePartiallyFilled
					if k == 3 {
						state = venue.StateFilled
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
