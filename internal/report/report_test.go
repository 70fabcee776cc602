package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/backtest"
	"github.com/tradectl/tradectl/internal/money"
)

const hostile = "</script><script>alert(1)</script><!-- \u2028 & \"'"

// result builds a result as a run of n chart points and trades would.
func result(points, trades int, symbols ...string) *backtest.Result {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &backtest.Result{Strategy: "sma", Params: map[string]string{"fast": hostile},
		StartingEquity: money.FromInt(100000), FinalEquity: money.MustParse("100012.12345678"),
		Chart: backtest.Chart{Every: time.Second}}
	for i := range points {
		t := start.Add(time.Duration(i) * time.Second)
		r.Chart.Equity = append(r.Chart.Equity, backtest.EquityPoint{Time: t,
			Equity: money.MustParse(fmt.Sprintf("100000.%08d", i)), Drawdown: money.MustParse(fmt.Sprintf("0.%08d", i))})
	}
	for _, s := range symbols {
		ps := backtest.PriceSeries{Symbol: s}
		for i := range points {
			ps.Points = append(ps.Points, backtest.PricePoint{Time: start.Add(time.Duration(i) * time.Second),
				Price: money.MustParse(fmt.Sprintf("60000.%08d", i))})
		}
		r.Chart.Prices = append(r.Chart.Prices, ps)
	}
	for i := range trades {
		r.Trades = append(r.Trades, backtest.Trade{Time: start.Add(time.Duration(i) * time.Second), OrderID: fmt.Sprintf("bt-%d", i),
			Symbol: symbols[i%len(symbols)], Side: "BUY", Quantity: money.MustParse("0.00000001"),
			Price: money.MustParse("60000.5"), Fee: money.MustParse("0.01"), Liquidity: "taker"})
	}
	r.Fills = len(r.Trades)
	return r
}

// dataBlock returns the text of the page's JSON block: from its opening
// tag to the first "</script" after it, as a browser's parser reads it.
func dataBlock(t *testing.T, page string) string {
	t.Helper()
	const open = `<script type="application/json" id="report-data">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatal("no data block")
	}
	rest := page[i+len(open):]
	end := strings.Index(strings.ToLower(rest), "</script")
	if end < 0 {
		t.Fatal("data block not closed")
	}
	return rest[:end]
}

// The block parses back to exactly the data, however hostile the symbol
// names and parameters: nothing in them ends the script element.
func TestDataBlockRoundTrips(t *testing.T) {
	sym := "BTC" + hostile
	r := result(50, 7, sym, "ETH-USD")
	var page bytes.Buffer
	if err := Write(&page, r); err != nil {
		t.Fatal(err)
	}
	block := dataBlock(t, page.String())
	var got, want any
	if err := json.Unmarshal([]byte(block), &got); err != nil {
		t.Fatalf("block does not parse: %v", err)
	}
	wantJSON, _ := json.Marshal(NewData(r))
	json.Unmarshal(wantJSON, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatal("the block does not round-trip")
	}
	var d Data
	json.Unmarshal([]byte(block), &d)
	if d.Prices[0].Symbol != sym || d.Trades[0].Symbol != sym {
		t.Errorf("symbol %q came back as %q", sym, d.Prices[0].Symbol)
	}
	// Exact decimals, as text.
	if d.Equity[3][1] != "100000.00000003" || d.Summary[len(d.Summary)-1].Label != "SHARPE" {
		t.Errorf("equity point %v, summary %v", d.Equity[3], d.Summary)
	}
	if s := page.String(); strings.Count(strings.ToLower(s), "</script") != 2 || strings.Contains(s, "<!-- ") ||
		strings.Contains(s, "\u2028") || strings.Contains(s, "<script>alert") {
		t.Error("hostile text reached the page unescaped")
	}
	if !strings.Contains(page.String(), "<title>Backtest: sma</title>") {
		t.Error("no title")
	}
}

// The summary is the result's own: the same rows the table prints.
func TestSummaryIsTheResults(t *testing.T) {
	r := result(3, 1, "BTC-USD")
	if d := NewData(r); !reflect.DeepEqual(d.Summary, r.Summary()) {
		t.Errorf("summary %v, want %v", d.Summary, r.Summary())
	}
}

// A result run without its chart is refused, not drawn empty.
func TestNoChartRefused(t *testing.T) {
	r := result(3, 1, "BTC-USD")
	r.Chart = backtest.Chart{}
	if err := Write(&bytes.Buffer{}, r); !errors.Is(err, ErrNoChart) {
		t.Errorf("got %v", err)
	}
}

// A bundle that could end its own element is refused, not written.
func TestUnsafeAssetRefused(t *testing.T) {
	d := NewData(result(3, 1, "BTC-USD"))
	for _, c := range []struct{ js, css string }{
		{"var a='</SCRIPT>'", ""}, {"<!--", ""}, {"", "a{}</style>"},
	} {
		if err := writePage(&bytes.Buffer{}, d, c.js, c.css); !errors.Is(err, errUnsafeAsset) {
			t.Errorf("%q %q: %v", c.js, c.css, err)
		}
	}
}

// The page of a long run stays bounded: the chart is (backtest caps its
// points) and so are the trades marked, which the page says.
func TestPageSizeBounded(t *testing.T) {
	r := result(backtest.MaxChartPoints+1, 100_000, "BTC-USD", "ETH-USD", "SOL-USD")
	var page bytes.Buffer
	if err := Write(&page, r); err != nil {
		t.Fatal(err)
	}
	d := NewData(r)
	if len(d.Trades) != MaxTrades || d.TradesTotal != 100_000 {
		t.Errorf("%d trades of %d in the page", len(d.Trades), d.TradesTotal)
	}
	const bound = 3 << 20
	t.Logf("page of %d points x 4 series and %d trades: %d bytes", backtest.MaxChartPoints+1, len(r.Trades), page.Len())
	if page.Len() > bound {
		t.Errorf("page of %d bytes, bound %d", page.Len(), bound)
	}
}

// WriteFile puts the page in place whole; a path it cannot write leaves
// nothing, and an existing file is replaced only by a complete page.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.html")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Abort()
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("aborted report changed the file: %q", b)
	}
	if err := WriteFile(path, result(3, 1, "BTC-USD")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.HasSuffix(b, []byte("</html>\n")) {
		t.Error("report not complete")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	if err := WriteFile(filepath.Join(dir, "no", "r.html"), result(3, 1, "BTC-USD")); err == nil {
		t.Error("wrote into a missing directory")
	}
}

// Building a page costs little next to the run.
func BenchmarkWriteLong(b *testing.B) {
	r := result(backtest.MaxChartPoints+1, MaxTrades, "BTC-USD", "ETH-USD", "SOL-USD")
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/page")
}
