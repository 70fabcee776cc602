package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// Pages walk the window the first page pinned, in order, without gaps or
// repeats, while new rows keep arriving: the newest 20 of 25 orders, 7 at a
// time, are 7, 7 and 6, with 5 older ones omitted on every page.
func TestPagesWalkAPinnedWindow(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	createSession(t, s, "s1", StateRunning)
	if err := s.CommitTick(ctx, ticksUpTo(25)); err != nil {
		t.Fatal(err)
	}
	var ids, fills []string
	var sizes []int
	p := Page{Limit: 20, Size: 7}
	for n := 26; ; n++ {
		page, err := s.PageOrders(ctx, "s1", false, p)
		if err != nil {
			t.Fatal(err)
		}
		if page.Omitted != 5 {
			t.Fatalf("omitted %d, want 5", page.Omitted)
		}
		sizes = append(sizes, len(page.Orders))
		for _, o := range page.Orders {
			if len(o.Fills) != 1 || o.AveragePrice != dec("100") {
				t.Fatalf("order %s without its fill: %+v", o.ClientID, o)
			}
			ids = append(ids, o.ClientID)
		}
		// A tick between pages: its order is newer than the window.
		if err := s.CommitTick(ctx, tickN(n)); err != nil {
			t.Fatal(err)
		}
		if page.Next == nil {
			break
		}
		p.Cursor = *page.Next
	}
	if fmt.Sprint(sizes) != "[7 7 6]" || ids[0] != "s1-6" || ids[19] != "s1-25" {
		t.Fatalf("pages of %v: %v", sizes, ids)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != fmt.Sprintf("s1-%d", i+6) {
			t.Fatalf("orders out of order or repeated: %v", ids)
		}
	}
	p = Page{Limit: 10, Size: 4}
	omitted := -1
	for {
		page, err := s.PageFills(ctx, "s1", p)
		if err != nil {
			t.Fatal(err)
		}
		omitted = page.Omitted
		for _, f := range page.Fills {
			fills = append(fills, f.ClientID)
		}
		if page.Next == nil {
			break
		}
		p.Cursor = *page.Next
	}
	// 28 fills by now: the newest 10, in the order committed, as one
	// unpaged list has them.
	all, err := s.ListFills(ctx, "s1", 10)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range all {
		want = append(want, f.ClientID)
	}
	if strings.Join(fills, ",") != strings.Join(want, ",") || len(fills) != 10 || fills[9] != "s1-28" || omitted != 18 {
		t.Fatalf("fills %v, omitted %d; want %v", fills, omitted, want)
	}
}

func TestSessionPagesAreNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir(), Options{})
	for i := range 5 {
		createSession(t, s, fmt.Sprintf("s%d", i), StateInterrupted)
	}
	var got []string
	p := Page{Limit: 4, Size: 3}
	for {
		page, err := s.PageSessions(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Sessions {
			got = append(got, r.ID)
		}
		createSession(t, s, fmt.Sprintf("new%d", len(got)), StateInterrupted)
		if page.Next == nil {
			break
		}
		p.Cursor = *page.Next
	}
	if strings.Join(got, ",") != "s4,s3,s2,s1" {
		t.Fatalf("sessions %v", got)
	}
}
