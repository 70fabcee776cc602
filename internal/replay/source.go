package replay

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tradectl/tradectl/internal/market"
)

// DefaultSpreadBps is the spread of the quotes a replay makes up for candles
// and for trades before their symbol's first quote: 2 bps, the paper
// market's.
const DefaultSpreadBps = 2

const (
	// maxLine bounds a line, and so the reader's buffer.
	maxLine = 64 << 10
	// maxSymbols bounds the symbols a file without Options.Symbols may
	// introduce, and so the memory a hostile file can claim.
	maxSymbols = 4096
)

// Options tune a replay. The zero value replays every symbol in the file.
type Options struct {
	// Symbols, if any, are the only symbols the file may name: a row for
	// another is an error. They must be BASE-QUOTE in uppercase letters
	// and digits, such as BTC-USD.
	Symbols []string
	// SpreadBps is the spread of made-up quotes, in basis points of the
	// price, 1 to 10000; 0 means DefaultSpreadBps.
	SpreadBps int64
}

// Source replays a CSV file as a market.Source. It reads the file as it
// goes, a line at a time. It is not safe for concurrent use.
type Source struct {
	in        *bufio.Reader
	line      int
	layout    layout
	cells     [numFields][]byte // the current row, by column
	syms      []*symbol
	index     map[string]int32
	closed    bool // Options.Symbols fixed the symbols
	spreadBps int64
	lastNs    int64 // time of the last row read
	seq       uint64
	queue     queue
	eof       bool  // no more rows
	err       error // sticky: io.EOF or what stopped the replay
}

var _ market.Source = (*Source)(nil)

// symbol is the state of one symbol: its touch and its one-level book.
type symbol struct {
	name     string
	quoted   bool // has had a quote; until then trades make up their own
	bid, ask [1]market.Level
	book     market.Book
}

// Open reads the header from r and returns a Source positioned before the
// first row. The error is an *Error for a bad header.
func Open(r io.Reader, opts Options) (*Source, error) {
	s := &Source{
		in:        bufio.NewReaderSize(r, maxLine),
		index:     make(map[string]int32),
		closed:    len(opts.Symbols) > 0,
		spreadBps: opts.SpreadBps,
		lastNs:    math.MinInt64,
	}
	if s.spreadBps == 0 {
		s.spreadBps = DefaultSpreadBps
	}
	if s.spreadBps < 1 || s.spreadBps > 10_000 {
		return nil, fmt.Errorf("replay: spread of %d bps out of range [1, 10000]", opts.SpreadBps)
	}
	for _, name := range opts.Symbols {
		if !validSymbol([]byte(name)) {
			return nil, fmt.Errorf("replay: malformed symbol %.*q: want BASE-QUOTE in uppercase letters and digits",
				maxSymbolLen, name)
		}
		if _, dup := s.index[name]; dup {
			return nil, fmt.Errorf("replay: symbol %q given more than once", name)
		}
		s.addSymbol(name)
	}
	line, err := s.readLine()
	if errors.Is(err, io.EOF) || err == nil && s.line != 1 {
		return nil, &Error{Line: 1, Reason: "no header: the first line must name the columns"}
	}
	if err != nil {
		return nil, err
	}
	if s.layout, err = parseHeader(line); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Source) addSymbol(name string) int32 {
	sym := &symbol{name: name}
	sym.book = market.Book{Bids: sym.bid[:], Asks: sym.ask[:]}
	s.index[name] = int32(len(s.syms))
	s.syms = append(s.syms, sym)
	return int32(len(s.syms) - 1)
}

// Next returns the next event due at or before until, ok false when the
// next one is later, and io.EOF after the last. An error in the file stops
// the replay: Next returns it, an *Error naming the line, from then on.
// Event.Book points into the Source and is valid until the next call. Once
// its buffers have grown to the file's needs, Next allocates nothing.
func (s *Source) Next(ctx context.Context, until time.Time) (market.Event, bool, error) {
	if s.err != nil {
		return market.Event{}, false, s.err
	}
	if err := ctx.Err(); err != nil {
		return market.Event{}, false, err
	}
	// An event is final once no unread row can come before it: rows are
	// in time order, and a row's events are never earlier than the row.
	for !s.eof && (len(s.queue) == 0 || s.queue[0].ns > s.lastNs) {
		line, err := s.readLine()
		if err == nil {
			err = s.parseRow(line)
		}
		if errors.Is(err, io.EOF) {
			s.eof = true
		} else if err != nil {
			s.err = err
			return market.Event{}, false, err
		}
	}
	if len(s.queue) == 0 {
		s.err = io.EOF
		return market.Event{}, false, io.EOF
	}
	if s.queue[0].ns > unixNanos(until) {
		return market.Event{}, false, nil
	}
	p := s.queue.pop()
	return s.emit(&p), true, nil
}

// emit applies a pending event to its symbol and returns it as an Event.
func (s *Source) emit(p *pending) market.Event {
	sym := s.syms[p.sym]
	if p.kind == market.EventBook || !sym.quoted {
		sym.bid[0] = market.Level{Price: p.bid, Size: p.bidSize}
		sym.ask[0] = market.Level{Price: p.ask, Size: p.askSize}
		sym.quoted = sym.quoted || p.kind == market.EventBook
	}
	return market.Event{
		Kind:      p.kind,
		Symbol:    sym.name,
		Time:      time.Unix(0, p.ns).UTC(),
		Bid:       sym.bid[0].Price,
		Ask:       sym.ask[0].Price,
		Book:      &sym.book,
		Price:     p.price,
		Size:      p.size,
		Aggressor: p.aggressor,
	}
}

// readLine returns the next line that is not empty, without its line end,
// in the reader's buffer: valid until the next read.
func (s *Source) readLine() ([]byte, error) {
	for {
		b, err := s.in.ReadSlice('\n')
		if len(b) == 0 && errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		s.line++
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, &Error{Line: s.line, Reason: fmt.Sprintf("longer than %d bytes", maxLine)}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("replay: reading line %d: %w", s.line, err)
		}
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		if len(b) > 0 {
			return b, nil
		}
	}
}

// unixNanos is t in Unix nanoseconds, saturating where UnixNano is
// undefined, so that a backtest may ask for everything until year 9999.
func unixNanos(t time.Time) int64 {
	switch sec := t.Unix(); {
	case sec > maxSec:
		return math.MaxInt64
	case sec < minSec:
		return math.MinInt64
	}
	return t.UnixNano()
}
