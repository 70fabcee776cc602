// Command benchtable reads `go test -bench` output on stdin, passes it
// through, and ends with one table of every benchmark and its figures, so
// that `make bench` prints what BENCHMARKS.md records.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
)

func main() {
	type row struct{ name, figures string }
	var rows []row
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	failed := false
	for sc.Scan() {
		line := sc.Text()
		fmt.Println(line)
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") {
			failed = true
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		// name, iterations, then value-unit pairs.
		var figs []string
		for i := 2; i+1 < len(f); i += 2 {
			figs = append(figs, f[i]+" "+f[i+1])
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		rows = append(rows, row{name, strings.Join(figs, ", ")})
	}
	fmt.Println("\nSummary")
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r.name, r.figures)
	}
	tw.Flush()
	if failed {
		os.Exit(1)
	}
}
