package backtest

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/market"
	"github.com/tradectl/tradectl/internal/replay"
	"github.com/tradectl/tradectl/internal/settings"
)

const csvHeader = "time,symbol,type,price,size,side,bid,bid_size,ask,ask_size\n"

func csvSource(t *testing.T, body string) market.Source {
	t.Helper()
	src, err := replay.Open(strings.NewReader(csvHeader+body), replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Two quotes 200 years apart, sampled every minute (or every nanosecond
// over the shipped sample): the samples kept stay within the limit, and
// the result says the period was coarsened to keep them there.
func TestSamplesAreBounded(t *testing.T) {
	twoCenturies := "2026-01-02T00:00:00Z,BTC-USD,quote,,,,59994,1.64,60006,0.46\n" +
		"2226-01-02T00:00:00Z,BTC-USD,quote,,,,59994,1.64,60006,0.46\n"
	widest := "1678-01-01T00:00:00Z,BTC-USD,quote,,,,59994,1.64,60006,0.46\n" +
		"2262-01-01T00:00:00Z,BTC-USD,quote,,,,59994,1.64,60006,0.46\n"
	for _, tc := range []struct {
		name  string
		src   func() market.Source
		every time.Duration
	}{
		{"two quotes 200 years apart", func() market.Source { return csvSource(t, twoCenturies) }, time.Minute},
		{"sample every 1ns", func() market.Source { return replaySource(t) }, time.Nanosecond},
		// Past time.Duration's 292 years, to the end of what the format holds.
		{"584 years", func() market.Source { return csvSource(t, widest) }, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(context.Background(), Config{Source: tc.src(), Settings: settings.Settings{Strategy: "hold"}, SampleEvery: tc.every})
			if err != nil {
				t.Fatal(err)
			}
			if r.Samples > MaxSamples || r.Samples < MaxSamples/2 {
				t.Fatalf("%d samples kept, want between %d and %d", r.Samples, MaxSamples/2, MaxSamples)
			}
			if r.SampleEveryRequested != tc.every.String() || r.SampleEvery == tc.every.String() {
				t.Fatalf("sampled every %s (asked %q): the coarsening is not shown", r.SampleEvery, r.SampleEveryRequested)
			}
			// The samples cover the data to its last event, not less.
			every, err := time.ParseDuration(r.SampleEvery)
			if err != nil {
				t.Fatal(err)
			}
			span := float64(r.LastEvent.Unix()-r.FirstEvent.Unix()) + float64(r.LastEvent.Nanosecond()-r.FirstEvent.Nanosecond())/1e9
			covered := float64(r.Samples) * every.Seconds()
			if gap := span - covered; gap < -1e-9*span || gap >= every.Seconds()*(1+1e-9) {
				t.Fatalf("%d samples every %s cover %.0f s of a %.0f s span", r.Samples, every, covered, span)
			}
		})
	}
}

// Coarsening keeps exactly the samples the coarser period would have
// taken from the start, and the same inputs still give the same bytes.
func TestCoarsenedSamplesAreTheCoarserPeriods(t *testing.T) {
	run := func(every time.Duration) *Result {
		r, err := Run(context.Background(), Config{Source: replaySource(t), Settings: settings.Settings{Strategy: "sma"}, SampleEvery: every})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	fine, again := run(time.Nanosecond), run(time.Nanosecond)
	if string(render(t, fine)) != string(render(t, again)) {
		t.Fatal("two runs over the same data differ")
	}
	every, err := time.ParseDuration(fine.SampleEvery)
	if err != nil {
		t.Fatal(err)
	}
	coarse := run(every)
	if fine.Sharpe == nil || coarse.Sharpe == nil || *fine.Sharpe != *coarse.Sharpe || fine.Samples != coarse.Samples {
		t.Fatalf("1ns coarsened to %s: sharpe %s from %d samples; %s directly: %s from %d",
			every, deref(fine.Sharpe), fine.Samples, every, deref(coarse.Sharpe), coarse.Samples)
	}
}

// Data with a header and nothing else is an error, not a result of zeros.
func TestNoEventsIsAnError(t *testing.T) {
	r, err := Run(context.Background(), Config{Source: csvSource(t, ""), Settings: settings.Settings{Strategy: "sma"}})
	if !errors.Is(err, ErrNoEvents) {
		t.Fatalf("header-only data: result %+v, error %v", r, err)
	}
}

// A Sharpe ratio from fewer than MinSharpeSamples samples is null, with
// the count beside it; from enough samples it is a number.
func TestSharpeNeedsEnoughSamples(t *testing.T) {
	for _, tc := range []struct {
		every      time.Duration
		meaningful bool
	}{{time.Minute, false}, {time.Second, true}} {
		r, err := Run(context.Background(), Config{Source: replaySource(t), Settings: settings.Settings{Strategy: "sma"}, SampleEvery: tc.every})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(render(t, r), &doc); err != nil {
			t.Fatal(err)
		}
		sharpe, present := doc["sharpe_annualized"]
		n := doc["sharpe_samples"].(float64)
		if tc.meaningful != (sharpe != nil) || !present || tc.meaningful != (n >= MinSharpeSamples) {
			t.Errorf("every %s: sharpe_annualized %v (present %v) from %v samples", tc.every, sharpe, present, n)
		}
	}
}

// Every key of the JSON result is snake_case, positions included (the
// parameters' keys are the user's own).
func TestJSONIsSnakeCase(t *testing.T) {
	r, err := Run(context.Background(), Config{Source: replaySource(t), Settings: settings.Settings{Strategy: "grid", Params: map[string]string{}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Positions) == 0 || len(r.Trades) == 0 {
		t.Fatalf("grid ends with %d positions and %d trades: nothing to check", len(r.Positions), len(r.Trades))
	}
	var doc any
	if err := json.Unmarshal(render(t, r), &doc); err != nil {
		t.Fatal(err)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if !snake.MatchString(k) {
					t.Errorf("key %s.%s is not snake_case", path, k)
				}
				if path == "" && k == "params" {
					continue
				}
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range v {
				walk(path+"[]", e)
			}
		}
	}
	walk("", doc)
}
