package main

import (
	"context"
	"io"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/paper"
)

// header is the replay format's header for quotes and trades.
const header = "time,symbol,type,price,size,side,bid,bid_size,ask,ask_size\n"

// farFuture asks the simulation for everything: it runs on virtual time.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// generate writes rows rows from a Sim: a quote row for each book update,
// with its touch and the sizes there; a trade row for each trade; and after
// a trade that swept the top level, a quote row for the new touch, so that a
// replay carries the touch each trade met, as the Sim does.
func generate(w io.Writer, cfg paper.SimConfig, rows int) error {
	sim, err := paper.NewSim(cfg)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, header); err != nil {
		return err
	}
	var line []byte
	for n := 0; n < rows; {
		ev, _, err := sim.Next(context.Background(), farFuture)
		if err != nil {
			return err
		}
		line = line[:0]
		if ev.Kind == market.EventTrade {
			line = appendTrade(line, &ev)
			n++
		}
		b := ev.Book
		if n < rows && (ev.Kind == market.EventBook || b.Bids[0].Price != ev.Bid || b.Asks[0].Price != ev.Ask) {
			line = appendQuote(line, ev.Time, ev.Symbol, b)
			n++
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func appendTrade(dst []byte, ev *market.Event) []byte {
	dst = appendStart(dst, ev.Time, ev.Symbol, "trade")
	dst = append(ev.Price.Append(dst), ',')
	dst = append(ev.Size.Append(dst), ',')
	if ev.Aggressor > 0 {
		dst = append(dst, "buy"...)
	} else {
		dst = append(dst, "sell"...)
	}
	return append(dst, ",,,,\n"...)
}

func appendQuote(dst []byte, t time.Time, symbol string, b *market.Book) []byte {
	dst = appendStart(dst, t, symbol, "quote")
	dst = append(dst, ",,,"...)
	dst = append(b.Bids[0].Price.Append(dst), ',')
	dst = append(b.Bids[0].Size.Append(dst), ',')
	dst = append(b.Asks[0].Price.Append(dst), ',')
	dst = b.Asks[0].Size.Append(dst)
	return append(dst, '\n')
}

func appendStart(dst []byte, t time.Time, symbol, kind string) []byte {
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(append(append(dst, ','), symbol...), ',')
	return append(append(dst, kind...), ',')
}
