package latch

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestExactlyOneFireWins(t *testing.T) {
	l := New()
	if l.Fired() {
		t.Fatal("a new latch has fired")
	}
	select {
	case <-l.Done():
		t.Fatal("Done is closed before Fire")
	default:
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if l.Fire() {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || !l.Fired() {
		t.Fatalf("%d callers fired it; fired=%v", wins.Load(), l.Fired())
	}
	<-l.Done()
}
