package sessionhealth

import (
	"context"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSubscriberGetsLatestAtOnce(t *testing.T) {
	h := NewHub[int]()
	one, two := 1, 2
	h.Publish(&one)
	h.Publish(&two)
	s, err := h.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := *<-s.C(); got != 2 {
		t.Fatalf("first value = %d, want the latest (2)", got)
	}
}

// A subscriber that never reads holds one slot with the latest value; the
// publisher never blocks on it and others see every value.
func TestSlowSubscriberGetsLatestAndBlocksNobody(t *testing.T) {
	h := NewHub[int]()
	slow, _ := h.Subscribe()
	fast, _ := h.Subscribe()
	defer slow.Close()
	defer fast.Close()
	for i := range 10_000 {
		v := i
		h.Publish(&v)
		if got := *<-fast.C(); got != i {
			t.Fatalf("fast subscriber got %d, want %d", got, i)
		}
	}
	if got := *<-slow.C(); got != 9_999 {
		t.Fatalf("slow subscriber got %d, want the latest 9999", got)
	}
	select {
	case v := <-slow.C():
		t.Fatalf("slow subscriber had a backlog: %d", *v)
	default:
	}
}

func TestCloseEndsSubscriptionsAndRefusesNew(t *testing.T) {
	h := NewHub[int]()
	s, _ := h.Subscribe()
	h.Close()
	h.Close() // idempotent
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed")
	}
	if _, err := h.Subscribe(); err != ErrHubClosed {
		t.Fatalf("subscribe after close: %v", err)
	}
	s.Close()
	if h.Len() != 0 {
		t.Fatalf("len = %d", h.Len())
	}
}

// The value published before Close is received before the end is.
func TestNextDeliversTheLastValueBeforeTheEnd(t *testing.T) {
	h := NewHub[int]()
	s, _ := h.Subscribe()
	defer s.Close()
	final := 7
	h.Publish(&final)
	h.Close()
	v, err := s.Next(context.Background())
	if err != nil || *v != 7 {
		t.Fatalf("Next after Publish and Close: %v, %v; want the last value", v, err)
	}
	if _, err := s.Next(context.Background()); err != ErrHubClosed {
		t.Fatalf("Next once drained: %v, want ErrHubClosed", err)
	}
}
