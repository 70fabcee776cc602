package replay

import (
	"bytes"
	"fmt"
	"strings"
)

// field is a column the format knows.
type field uint8

const (
	fTime field = iota
	fSymbol
	fType
	fPrice
	fSize
	fSide
	fBid
	fBidSize
	fAsk
	fAskSize
	fOpen
	fHigh
	fLow
	fClose
	fVolume
	fInterval
	numFields
)

var fieldNames = [numFields]string{
	"time", "symbol", "type", "price", "size", "side", "bid", "bid_size", "ask", "ask_size",
	"open", "high", "low", "close", "volume", "interval",
}

// rowType is what a row records.
type rowType uint8

const (
	typeQuote rowType = iota
	typeTrade
	typeCandle
	numTypes
)

var typeNames = [numTypes]string{"quote", "trade", "candle"}

// typeFields are the fields each type fills; every other cell of its row
// must be empty, which catches a row shifted by a missing comma.
var typeFields = [numTypes][]field{
	typeQuote:  {fBid, fBidSize, fAsk, fAskSize},
	typeTrade:  {fPrice, fSize, fSide},
	typeCandle: {fOpen, fHigh, fLow, fClose, fVolume, fInterval},
}

// layout maps the columns of a file to fields and back.
type layout struct {
	fields []field          // of each column
	column [numFields]int   // of each field, -1 when the file has none
	uses   [numTypes]uint32 // bit f set: the type fills field f
}

// parseHeader reads the header line: known names, each at most once, time,
// symbol and type among them.
func parseHeader(line []byte) (layout, error) {
	var l layout
	for f := range l.column {
		l.column[f] = -1
	}
	line = bytes.TrimPrefix(line, []byte("\ufeff")) // spreadsheets write a byte order mark
	for i, name := range bytes.Split(line, []byte(",")) {
		f, ok := lookupField(name)
		if !ok {
			return l, &Error{Line: 1, Column: i + 1, Name: string(name),
				Reason: fmt.Sprintf("unknown column %s; known: %s", echo(name), strings.Join(fieldNames[:], ", "))}
		}
		if l.column[f] >= 0 {
			return l, &Error{Line: 1, Column: i + 1, Name: string(name), Reason: "column named twice"}
		}
		l.column[f] = i
		l.fields = append(l.fields, f)
	}
	for _, f := range []field{fTime, fSymbol, fType} {
		if l.column[f] < 0 {
			return l, &Error{Line: 1, Reason: fmt.Sprintf("header has no %s column; it needs time, symbol and type", fieldNames[f])}
		}
	}
	for t, fs := range typeFields {
		l.uses[t] = 1<<fTime | 1<<fSymbol | 1<<fType
		for _, f := range fs {
			l.uses[t] |= 1 << f
		}
	}
	return l, nil
}

func lookupField(name []byte) (field, bool) {
	for f, n := range fieldNames {
		if string(name) == n {
			return field(f), true
		}
	}
	return 0, false
}

func lookupType(cell []byte) (rowType, bool) {
	for t, n := range typeNames {
		if string(cell) == n {
			return rowType(t), true
		}
	}
	return 0, false
}
