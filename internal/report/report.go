// Package report writes a backtest's result as one self-contained HTML
// page: the page's script and style (built from web/ by make web, embedded
// here) and the result's data, inlined; opening it needs no network. It
// owns the page's data and its escaping; it must never compute a figure of
// its own (the summary is backtest.Result.Summary, the curves the run's
// Chart).
package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tradectl/tradectl/internal/backtest"
)

// The bundle make web builds from web/src/report (checked by make
// check-web).
var (
	//go:embed assets/report.js
	script string
	//go:embed assets/report.css
	style string
)

// MaxTrades bounds the trades a page marks: past it, the first MaxTrades
// are marked and the page says how many there were.
const MaxTrades = 5000

// Data is the page's JSON block. Money stays exact decimal text.
type Data struct {
	Title   string                `json:"title"`
	Summary []backtest.SummaryRow `json:"summary"`
	Every   string                `json:"every"`
	// Downsampled says, on the page, how the curves were sampled.
	Downsampled string           `json:"downsampled"`
	Equity      []equityPoint    `json:"equity"`
	Prices      []priceSeries    `json:"prices"`
	Trades      []backtest.Trade `json:"trades"`
	TradesTotal int              `json:"trades_total"`
}

// equityPoint is [unix ms, equity, drawdown]: arrays, since a long run has
// thousands of them.
type equityPoint [3]any

type priceSeries struct {
	Symbol string   `json:"symbol"`
	Points [][2]any `json:"points"`
}

// NewData gathers what the page shows from a result.
func NewData(r *backtest.Result) Data {
	ch := r.Chart
	d := Data{
		Title:       "Backtest: " + r.Strategy,
		Summary:     r.Summary(),
		Every:       ch.Every.String(),
		Equity:      make([]equityPoint, 0, len(ch.Equity)),
		Prices:      make([]priceSeries, 0, len(ch.Prices)),
		Trades:      r.Trades[:min(len(r.Trades), MaxTrades)],
		TradesTotal: r.Fills,
	}
	d.Downsampled = fmt.Sprintf("Drawn from %d points: the first event in every %s (and the last event), so that a long run stays small; "+
		"the summary's figures come from every event.", len(ch.Equity), ch.Every)
	for _, p := range ch.Equity {
		d.Equity = append(d.Equity, equityPoint{p.Time.UnixMilli(), p.Equity, p.Drawdown})
	}
	for _, s := range ch.Prices {
		ps := priceSeries{Symbol: s.Symbol, Points: make([][2]any, 0, len(s.Points))}
		for _, p := range s.Points {
			ps.Points = append(ps.Points, [2]any{p.Time.UnixMilli(), p.Price})
		}
		d.Prices = append(d.Prices, ps)
	}
	return d
}

// dataJSON encodes the block so that nothing in it can end the script
// element or open a comment: encoding/json escapes <, > and & (and U+2028,
// U+2029) inside strings, and the JSON outside strings holds none of them.
func dataJSON(d Data) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if bytes.ContainsAny(b, "<>") {
		return nil, errors.New("report: unescaped < or > in the data block")
	}
	return b, nil
}

// errUnsafeAsset is a bundle that could end its own script element.
var errUnsafeAsset = errors.New("report: the embedded asset contains </script, <!-- or </style")

func safeAsset(s, closing string) error {
	l := strings.ToLower(s)
	if strings.Contains(l, closing) || strings.Contains(l, "<!--") {
		return errUnsafeAsset
	}
	return nil
}

// ErrNoChart is a result run without backtest.Config.Chart: a page of
// empty charts would look like a run that did nothing.
var ErrNoChart = errors.New("report: the backtest was run without its chart (backtest.Config.Chart)")

// Write writes the page for r to w.
func Write(w io.Writer, r *backtest.Result) error {
	if r.Chart.Every == 0 {
		return ErrNoChart
	}
	return writePage(w, NewData(r), script, style)
}

func writePage(w io.Writer, d Data, js, css string) error {
	if err := safeAsset(js, "</script"); err != nil {
		return err
	}
	if err := safeAsset(css, "</style"); err != nil {
		return err
	}
	data, err := dataJSON(d)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	// No network, even by mistake: the page may load nothing but itself.
	b.WriteString("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", html.EscapeString(d.Title), css)
	b.WriteString("<main id=\"report\"></main>\n")
	b.WriteString("<script type=\"application/json\" id=\"report-data\">")
	b.Write(data)
	b.WriteString("</script>\n<script>\n")
	b.WriteString(js)
	b.WriteString("</script>\n</body>\n</html>\n")
	_, err = w.Write(b.Bytes())
	return err
}

// File is a report on its way to path: it is written whole or not at all,
// into a temporary file beside path that Commit renames over it. Creating
// it first finds an unwritable path before a long backtest runs.
type File struct {
	path string
	tmp  *os.File
	done bool
}

// Create opens the temporary file for a report to path.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, fmt.Errorf("%s: a report is a file, not a directory", path)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if pe := (*os.PathError)(nil); errors.As(err, &pe) {
		return nil, fmt.Errorf("cannot create a file in %s: %w", dir, pe.Err)
	}
	if err != nil {
		return nil, err
	}
	return &File{path: path, tmp: tmp}, nil
}

// Commit writes the page for r and puts it at the path; on failure nothing
// is left behind.
func (f *File) Commit(r *backtest.Result) (err error) {
	defer func() {
		if err != nil {
			f.Abort()
		}
	}()
	if err = Write(f.tmp, r); err != nil {
		return err
	}
	if err = f.tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = f.tmp.Sync(); err != nil {
		return err
	}
	if err = f.tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.tmp.Name(), f.path); err != nil {
		return err
	}
	f.done = true
	return nil
}

// Abort removes the temporary file, unless Commit put it in place; the
// path is left as it was.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// WriteFile writes the page for r to path, whole or not at all.
func WriteFile(path string, r *backtest.Result) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	return f.Commit(r)
}
