package replay

import (
	"math"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// parseDecimal is money.Parse for a cell. The common spelling, unsigned
// digits with at most 8 decimals, is read here without converting the cell
// to a string (which would allocate: money.Parse's error keeps its input);
// anything else goes to money.Parse, so both accept exactly the same text
// and agree on its value (FuzzDecimal checks it).
func parseDecimal(b []byte) (money.Decimal, error) {
	const unit, maxWhole = 100_000_000, 11 // 11 digits × 10^8 fits in a uint64
	var whole, frac uint64
	i := 0
	for ; i < len(b) && i < maxWhole && isDigit(b[i]); i++ {
		whole = whole*10 + uint64(b[i]-'0')
	}
	if i == 0 {
		return money.Parse(string(b))
	}
	places := 0
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && places < money.Scale && isDigit(b[i]); i++ {
			frac = frac*10 + uint64(b[i]-'0')
			places++
		}
		if places == 0 {
			return money.Parse(string(b))
		}
		for range money.Scale - places {
			frac *= 10
		}
	}
	mag := whole*unit + frac
	if i < len(b) || mag > math.MaxInt64 {
		return money.Parse(string(b))
	}
	return money.FromUnits(int64(mag)), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits reads b[i:i+n] as a decimal number, or -1 if they are not n digits.
func digits(b []byte, i, n int) int64 {
	if i+n > len(b) {
		return -1
	}
	var v int64
	for _, c := range b[i : i+n] {
		if !isDigit(c) {
			return -1
		}
		v = v*10 + int64(c-'0')
	}
	return v
}

// The times a row may carry: those whose Unix nanoseconds fit in an int64,
// with a second to spare at either end so that no arithmetic overflows.
const (
	minSec = math.MinInt64/1_000_000_000 + 1
	maxSec = math.MaxInt64/1_000_000_000 - 1
)

// parseTime reads an RFC 3339 time in UTC, YYYY-MM-DDTHH:MM:SS, optionally
// a point and 1 to 9 digits, then Z, into Unix nanoseconds. It is strict where
// time.Parse is lenient (no offsets, no lowercase t or z), and reads without
// allocating. reason says what is wrong, or is empty.
func parseTime(b []byte) (ns int64, reason string) {
	const bad = "want an RFC 3339 time in UTC such as 2026-01-02T03:04:05.5Z"
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return 0, bad
	}
	year, month, day := digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2)
	hour, minute, sec := digits(b, 11, 2), digits(b, 14, 2), digits(b, 17, 2)
	if !validDate(year, month, day) || !validClock(hour, minute, sec) {
		return 0, bad
	}
	frac, i, ok := fraction(b, 19)
	if !ok || i != len(b)-1 || b[i] != 'Z' {
		return 0, bad
	}
	s := (daysFromCivil(year, month, day)*24+hour)*3600 + minute*60 + sec
	if s < minSec || s > maxSec {
		return 0, "time out of range: Unix nanoseconds must fit in 64 bits (years 1678 to 2262)"
	}
	return s*1e9 + frac, ""
}

// validDate and validClock say whether the fields, -1 where a digit was
// missing, name a day of the calendar and a time of day (no leap second).
func validDate(year, month, day int64) bool {
	return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
}

func validClock(hour, minute, sec int64) bool {
	return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && sec >= 0 && sec <= 59
}

// fraction reads an optional point and 1 to 9 digits at b[i:] as
// nanoseconds, and returns where it stopped; a point without a digit is
// not ok.
func fraction(b []byte, i int) (ns int64, end int, ok bool) {
	if b[i] != '.' {
		return 0, i, true
	}
	i++
	start := i
	for ; i < len(b) && i-start < 9 && isDigit(b[i]); i++ {
		ns = ns*10 + int64(b[i]-'0')
	}
	if i == start {
		return 0, i, false
	}
	for range 9 - (i - start) {
		ns *= 10
	}
	return ns, i, true
}

func daysIn(year, month int64) int64 {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts the days from 1970-01-01 to a date of the proleptic
// Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 { // floor, not truncation
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// parseInterval reads a candle interval: a positive whole number of ms, s,
// m or h, such as 500ms, 60s, 1m or 4h.
func parseInterval(b []byte) (time.Duration, string) {
	const bad = "want a positive whole number of ms, s, m or h, such as 1m"
	i := 0
	var n int64
	for ; i < len(b) && isDigit(b[i]); i++ {
		if n > math.MaxInt64/10-1 {
			return 0, bad
		}
		n = n*10 + int64(b[i]-'0')
	}
	var u time.Duration
	switch string(b[i:]) {
	case "ms":
		u = time.Millisecond
	case "s":
		u = time.Second
	case "m":
		u = time.Minute
	case "h":
		u = time.Hour
	default:
		return 0, bad
	}
	if i == 0 || n == 0 || n > int64(math.MaxInt64/u) {
		return 0, bad
	}
	return time.Duration(n) * u, ""
}

// maxSymbolLen is the longest symbol a file may name, as on the paper venue.
const maxSymbolLen = 32

// validSymbol reports whether b is BASE-QUOTE in uppercase letters and
// digits, the venue's spelling.
func validSymbol(b []byte) bool {
	if len(b) == 0 || len(b) > maxSymbolLen {
		return false
	}
	dash := -1
	for i, c := range b {
		switch {
		case c == '-' && dash < 0:
			dash = i
		case 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return dash > 0 && dash < len(b)-1
}
