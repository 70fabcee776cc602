package binance

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// A 429 rejects the order (nothing happened), halts order entry, and lifts
// the halt when Retry-After has passed.
func TestSender429HaltsUntilRetryAfter(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{status: 429, code: -1003, msg: "Too much request weight used.", retryAfter: "1"}}
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	r.sink.wait(t, "resume rate_limit")
	ev := r.sink.snapshot()
	if len(ev) != 3 || !strings.HasPrefix(ev[0], "halt rate_limit: rate limited (HTTP 429, -1003 Too much request weight used.) until ") || ev[1] != "update c1" {
		t.Fatalf("events %q", ev)
	}
	if u := r.sink.updates("c1"); u[0].Status != StatusRejected || !strings.HasPrefix(u[0].Reason, "rate limited: -1003") {
		t.Fatalf("update %+v", u[0])
	}
	r.snd.Place(orderReq("c2"))
	r.sink.wait(t, "update c2")
	if u := r.sink.updates("c2"); u[0].Status != StatusNew {
		t.Fatalf("after the backoff: %+v", u[0])
	}
	r.onePost(t, "c1")
	r.onePost(t, "c2")
}

// A 418 halts order entry with the ban's end in the reason; the venue
// component says so too.
func TestSender418HaltsWithTheBan(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	f.plan = []step{{status: 418, code: -1003, msg: "Way too much request weight used; IP banned until 1764504120000.", retryAfter: "1"}}
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	h := r.sink.wait(t, "halt ban: ")
	if !strings.Contains(h, "IP banned until ") {
		t.Fatalf("halt %q", h)
	}
	if vh := r.rest.Health(time.Now()); vh.Level != Unhealthy || !strings.Contains(vh.Reason, "IP banned until") {
		t.Fatalf("venue health during the ban: %+v", vh)
	}
	r.sink.wait(t, "update c1") // the halt comes first
	if u := r.sink.updates("c1"); len(u) != 1 || u[0].Status != StatusRejected || !strings.Contains(u[0].Reason, "IP banned until") {
		t.Fatalf("updates %+v", u)
	}
	r.sink.wait(t, "resume ban")
	r.onePost(t, "c1")
}

// -1021 is a clock problem, not a bad order: order entry halts until the
// clock, synced again, is inside the window; then orders are signed with
// the new offset and pass.
func TestSenderClockErrorHaltsUntilResynced(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	r := newSenderRig(t, f, 10*time.Second, 5*time.Second, true)
	defer r.stop()
	f.mu.Lock()
	f.skew = -3 * time.Second // the venue's clock jumps back: our timestamps are 3 s ahead
	f.mu.Unlock()
	r.snd.Place(orderReq("c1"))
	h := r.sink.wait(t, "halt clock: ")
	// The offset measured before the jump is near zero (a few ms under
	// load: half a round trip's uncertainty), nowhere near the 3 s.
	if !strings.Contains(h, "-1021") || !regexp.MustCompile(`our clock is measured -?\d ms off`).MatchString(h) {
		t.Fatalf("halt %q", h)
	}
	r.sink.wait(t, "update c1") // the halt comes first
	if u := r.sink.updates("c1"); len(u) != 1 || u[0].Status != StatusRejected || !strings.HasPrefix(u[0].Reason, "clock: ") {
		t.Fatalf("updates %+v", u)
	}
	r.sink.wait(t, "resume clock")
	if off := r.clock.Offset(); off > -2500*time.Millisecond {
		t.Fatalf("offset after the resync: %s", off)
	}
	r.snd.Place(orderReq("c2"))
	r.sink.wait(t, "update c2")
	if u := r.sink.updates("c2"); u[0].Status != StatusNew {
		t.Fatalf("after the resync: %+v", u[0])
	}
	r.onePost(t, "c1")
	r.onePost(t, "c2")
}

// A cancel refused by a passing rate limit is sent again when it passes:
// taking an order off the book is never forgotten.
func TestSenderRetriesACancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, true)
	defer r.stop()
	r.snd.Place(orderReq("c1"))
	r.sink.wait(t, "update c1")
	// A 429 the venue just sent: the cancel is kept back, then sent.
	r.rest.lim.answered(&APIError{HTTPStatus: 429, Code: -1003, RetryAfter: 500 * time.Millisecond}, 0)
	n := f.reached()
	r.snd.Cancel("BTC-USD", "c1")
	u := r.sink.waitUpdates(t, "c1", 2)
	if u[1].Status != StatusCanceled || f.reached() != n+1 {
		t.Fatalf("cancel: %+v after %d requests", u[1], f.reached()-n)
	}
}

// A clock that is not fit to sign (here: never synced) halts order entry
// before any order is refused for it; the sender syncs it and resumes.
func TestSenderHaltsForAnUnhealthyClock(t *testing.T) {
	defer goleak.VerifyNone(t)
	f := newFakeVenue(t)
	r := newSenderRig(t, f, 5*time.Second, 5*time.Second, false)
	defer r.stop()
	if h := r.sink.wait(t, "halt clock: "); !strings.Contains(h, "never synced") {
		t.Fatalf("halt %q", h)
	}
	r.sink.wait(t, "resume clock")
	if !r.clock.InWindow(time.Now()) {
		t.Fatalf("resumed with the clock %+v", r.clock.Health(time.Now()))
	}
}
