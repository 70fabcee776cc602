package venueemu

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tradectl/tradectl/internal/money"
)

func dial(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return ws
}

// wireDepth is a depthUpdate as a client reads it.
type wireDepth struct {
	E     string      `json:"e"`
	Time  int64       `json:"E"` // or "E" lands in E: Go matches keys case-insensitively
	S     string      `json:"s"`
	First int64       `json:"U"`
	Last  int64       `json:"u"`
	B     [][2]string `json:"b"`
	A     [][2]string `json:"a"`
}

func readDepth(t *testing.T, ws *websocket.Conn, combined bool) wireDepth {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, msg, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var d wireDepth
	if combined {
		var env struct {
			Stream string          `json:"stream"`
			Data   json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(msg, &env); err != nil || env.Stream != "btcusdt@depth@100ms" {
			t.Fatalf("combined message %s: %v", msg, err)
		}
		msg = env.Data
	}
	if err := json.Unmarshal(msg, &d); err != nil || d.E != "depthUpdate" {
		t.Fatalf("depth message %s: %v", msg, err)
	}
	return d
}

// localBook is a client's book kept by the venue's procedure.
type localBook map[string]map[string]string

func (b localBook) apply(t *testing.T, d wireDepth) {
	for side, levels := range map[string][][2]string{"b": d.B, "a": d.A} {
		for _, l := range levels {
			if money.MustParse(l[1]).IsZero() {
				delete(b[side], l[0])
			} else {
				b[side][l[0]] = l[1]
			}
		}
	}
}

func snapshotBook(s depthSnapshot) localBook {
	b := localBook{"b": {}, "a": {}}
	for _, l := range s.Bids {
		b["b"][l[0]] = l[1]
	}
	for _, l := range s.Asks {
		b["a"][l[0]] = l[1]
	}
	return b
}

func getDepth(t *testing.T, e *Emulator) depthSnapshot {
	t.Helper()
	var s depthSnapshot
	getJSON(t, e.URL()+"/api/v3/depth?symbol=BTCUSDT&limit=100", &s)
	return s
}

// TestDepthStreamKeepsABook follows the venue's documented procedure: a
// book built from a snapshot and the diffs after it, with continuous
// update ids, equals a later snapshot at the same update id.
func TestDepthStreamKeepsABook(t *testing.T) {
	e := start(t, Config{Step: 10 * time.Millisecond})
	for _, tc := range []struct {
		path     string
		combined bool
	}{{"/ws/btcusdt@depth@100ms", false}, {"/stream?streams=btcusdt@depth@100ms", true}} {
		ws := dial(t, e.WSURL()+tc.path)
		var events []wireDepth
		events = append(events, readDepth(t, ws, tc.combined))
		first := getDepth(t, e)
		for events[len(events)-1].Last <= first.LastUpdateID {
			events = append(events, readDepth(t, ws, tc.combined))
		}
		later := getDepth(t, e)
		for events[len(events)-1].Last < later.LastUpdateID {
			events = append(events, readDepth(t, ws, tc.combined))
		}
		if events[0].First > first.LastUpdateID+1 {
			t.Fatalf("%s: snapshot %d older than the first event %d", tc.path, first.LastUpdateID, events[0].First)
		}
		book, local, applied := snapshotBook(first), first.LastUpdateID, 0
		for _, d := range events {
			if d.Last <= local {
				continue
			}
			if d.First != local+1 {
				t.Fatalf("%s: gap: event %d..%d after %d", tc.path, d.First, d.Last, local)
			}
			book.apply(t, d)
			local = d.Last
			applied++
			if local == later.LastUpdateID {
				break
			}
		}
		if local != later.LastUpdateID || applied == 0 {
			t.Fatalf("%s: reached %d, later snapshot at %d (%d applied)", tc.path, local, later.LastUpdateID, applied)
		}
		want := snapshotBook(later)
		for side := range want {
			if len(want[side]) != len(book[side]) {
				t.Fatalf("%s: side %s: local %v, snapshot %v", tc.path, side, book[side], want[side])
			}
			for p, q := range want[side] {
				if book[side][p] != q {
					t.Fatalf("%s: side %s level %s: local %s, snapshot %s", tc.path, side, p, book[side][p], q)
				}
			}
		}
	}
}

// TestDepthGapFault: a lost update shows as U > previous u + 1.
func TestDepthGapFault(t *testing.T) {
	e := start(t, Config{Step: 5 * time.Millisecond})
	ws := dial(t, e.WSURL()+"/ws/btcusdt@depth")
	prev := readDepth(t, ws, false)
	d := readDepth(t, ws, false)
	if d.First != prev.Last+1 {
		t.Fatalf("no fault: %d..%d after %d", d.First, d.Last, prev.Last)
	}
	e.SetFaults(Faults{DepthGaps: 1})
	for range 100 {
		prev, d = d, readDepth(t, ws, false)
		if d.First != prev.Last+1 {
			if e.Faults().DepthGaps != 0 {
				t.Fatal("gap seen but the fault not spent")
			}
			return
		}
	}
	t.Fatal("no gap in 100 updates after the fault was set")
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, status, _ := httpDo(t, ctx, "GET", url, "", nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %s", url, status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, b)
	}
}
