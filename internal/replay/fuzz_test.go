package replay

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// FuzzParse replays arbitrary files: it must never panic, and whatever it
// hands out must be sane (times in order, quotes positive and uncrossed,
// trades positive), identical on a second run, and end in io.EOF or an
// *Error on a line that exists.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		header + "2026-01-02T00:00:00Z,BTC-USD,quote,,,,59994,1.5,60006,0.8\n" +
			"2026-01-02T00:00:00.05Z,BTC-USD,trade,60006,0.25,buy,,,,\n",
		"symbol,side,price,time,type,size\nSOL-USD,sell,150,2026-01-02T00:00:01Z,trade,3\n",
		candles + "2026-01-02T00:00:00Z,BTC-USD,candle,100,110,90,105,4.00000003,1m\n" +
			"2026-01-02T00:00:30Z,ETH-USD,candle,105,106,95,100,0,500ms\n",
		"\ufefftime,symbol,type,bid,bid_size,ask,ask_size\r\n\r\n2026-01-02T00:00:00Z,X-Y,quote,1,2,3,4",
		header + "2026-01-02T00:00:00Z,BTC-USD,quote,,,,3,1,2,1\n",
		header + "2026-01-02T00:00:01Z,BTC-USD,trade,92233720368,1,sell,,,,\n",
		"time,symbol,type\n2262-04-11T23:47:15Z,A-B,quote\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		first := replayAll(t, data)
		if second := replayAll(t, data); first != second {
			t.Fatalf("two replays differ:\n%s\n%s", first, second)
		}
	})
}

func replayAll(t *testing.T, data []byte) string {
	s, err := Open(bytes.NewReader(data), Options{})
	if err != nil {
		checkErr(t, data, err)
		return err.Error()
	}
	var out strings.Builder
	var last time.Time
	for range 10_000 {
		ev, ok, err := s.Next(context.Background(), farFuture)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				checkErr(t, data, err)
			}
			out.WriteString(err.Error())
			return out.String()
		}
		if !ok || ev.Time.Before(last) || !ev.Bid.IsPositive() || ev.Bid.Cmp(ev.Ask) > 0 ||
			ev.Book.Bids[0].Size.IsNegative() || ev.Book.Asks[0].Size.IsNegative() ||
			ev.Kind == 2 && (!ev.Price.IsPositive() || !ev.Size.IsPositive()) {
			t.Fatalf("bad event %+v (ok %v) after %v", ev, ok, last)
		}
		last = ev.Time
		out.WriteString(show(ev) + "\n")
	}
	return out.String()
}

func checkErr(t *testing.T, data []byte, err error) {
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	if e.Line < 1 || e.Line > bytes.Count(data, []byte("\n"))+1 || e.Column < 0 || e.Column > int(numFields)+1 {
		t.Fatalf("error %v points outside the file", err)
	}
}

// FuzzDecimal: parseDecimal is money.Parse, to the unit and the error.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{
		"0", "60000", "0.00000001", "1.5", "-1", "+1", "1.", ".5", "1e3", "", "00000000000000000001",
		"92233720368.54775807", "92233720368.54775808", "99999999999.99999999", "1.123456789", "1.2.3",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDecimal([]byte(s))
		want, wantErr := money.Parse(s)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Fatalf("parseDecimal(%q) = %v, %v; money.Parse = %v, %v", s, got, err, want, wantErr)
		}
	})
}

// FuzzTime: what parseTime accepts, time.Parse reads as the same instant,
// and every time the replay can hold, written as RFC 3339 in UTC, reads back.
func FuzzTime(f *testing.F) {
	for _, s := range []string{
		"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123456789Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
		"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2026-01-02T03:04:05+00:00", "2026-01-02t03:04:05z",
		"2026-13-01T00:00:00Z", "2026-01-02T24:00:00Z", "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05.1234567890Z",
	} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, ns int64) {
		if got, reason := parseTime([]byte(s)); reason == "" {
			want, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || want.UnixNano() != got {
				t.Fatalf("parseTime(%q) = %d; time.Parse = %v (%d), %v", s, got, want, want.UnixNano(), err)
			}
		}
		if ns/1e9 < minSec || ns/1e9 > maxSec {
			return
		}
		text := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
		if got, reason := parseTime([]byte(text)); reason != "" || got != ns {
			t.Fatalf("parseTime(%q) = %d, %q; want %d", text, got, reason, ns)
		}
	})
}
