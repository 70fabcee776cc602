package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --report writes one page next to the usual output; the table printed is
// the one the page shows.
func TestBacktestReportWritten(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.html")
	code, out, errOut := runBacktest(t.Context(), "--sim", "--sim-duration", "10m", "--strategy", "sma", "--report", file)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	page, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "report written to "+file) || !strings.Contains(out, "FINAL EQUITY") {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	if !strings.Contains(string(page), `"label":"FINAL EQUITY"`) {
		t.Errorf("the page has no summary")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left beside the report: %v", ents)
	}
}

// An unwritable --report is found before the run: one line, exit 14, no
// output, nothing written.
func TestBacktestReportUnwritable(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "missing", "r.html"), dir + "/"} {
		code, out, errOut := runBacktest(t.Context(), "--sim", "--sim-duration", "10m", "--report", path)
		if code != 14 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "tradectl: --report ") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", path, code, out, errOut)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// A failed run leaves no report and no temporary file.
func TestBacktestReportNotWrittenOnFailure(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(data, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, _ := runBacktest(t.Context(), "--data", data, "--report", filepath.Join(dir, "r.html"))
	if code != 5 {
		t.Fatalf("exit %d", code)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
}

// --report naming the --data file is refused before anything is written.
func TestBacktestReportOverData(t *testing.T) {
	data := filepath.Join(t.TempDir(), "d.csv")
	sample, err := os.ReadFile("../../testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, sample, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runBacktest(t.Context(), "--data", data, "--report", data)
	if code != 2 || !strings.HasPrefix(errOut, "tradectl: --report "+data+" is the --data file") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if b, _ := os.ReadFile(data); string(b) != string(sample) {
		t.Error("the data file changed")
	}
}
