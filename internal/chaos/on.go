//go:build chaos

package chaos

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Enabled is true: this is a fault-injection build.
const Enabled = true

type fault struct {
	point  string
	action string // panic or block
	at     int64
	repeat bool
	block  time.Duration
}

var (
	mu     sync.Mutex
	counts = map[string]int64{}
	faults []fault
)

func init() {
	spec := os.Getenv("TRADINGD_CHAOS")
	if spec == "" {
		return
	}
	fs, err := Parse(spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "TRADINGD_CHAOS: %v\n", err)
		os.Exit(2)
	}
	faults = fs
	fmt.Fprintf(os.Stderr, "CHAOS BUILD: injecting faults %q\n", spec)
}

// Parse reads a fault spec (see the package doc).
func Parse(spec string) ([]fault, error) {
	var out []fault
	for _, item := range strings.Split(spec, ",") {
		point, rest, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			return nil, fmt.Errorf("%q: want point:action@n", item)
		}
		action, n, ok := strings.Cut(rest, "@")
		if !ok {
			return nil, fmt.Errorf("%q: want point:action@n", item)
		}
		f := fault{point: point, action: action}
		if f.repeat = strings.HasSuffix(n, "+"); f.repeat {
			n = strings.TrimSuffix(n, "+")
		}
		if action == "block" {
			var d string
			n, d, ok = strings.Cut(n, "/")
			if !ok {
				return nil, fmt.Errorf("%q: block needs a duration (@n/3s)", item)
			}
			var err error
			if f.block, err = time.ParseDuration(d); err != nil {
				return nil, fmt.Errorf("%q: %v", item, err)
			}
		} else if action != "panic" && action != "fail" {
			return nil, fmt.Errorf("%q: action must be panic, block or fail", item)
		}
		var err error
		if f.at, err = strconv.ParseInt(n, 10, 64); err != nil || f.at < 1 {
			return nil, fmt.Errorf("%q: n must be a positive integer", item)
		}
		switch point {
		case Strategy, Coordinator, Monitor, Tick, Store:
		default:
			return nil, fmt.Errorf("%q: unknown point %q", item, point)
		}
		out = append(out, f)
	}
	return out, nil
}

// Hit counts a call of point and injects the faults due on it.
func Hit(point string) {
	_ = hit(point)
}

// Fail counts a call of point like Hit, and returns an error if a fail
// fault is due on it.
func Fail(point string) error { return hit(point) }

func hit(point string) error {
	if len(faults) == 0 {
		return nil
	}
	mu.Lock()
	counts[point]++
	n := counts[point]
	var due []fault
	for _, f := range faults {
		if f.point == point && (n == f.at || (f.repeat && n > f.at)) {
			due = append(due, f)
		}
	}
	mu.Unlock()
	for _, f := range due {
		switch f.action {
		case "panic":
			panic(fmt.Sprintf("chaos: injected %s panic (call %d)", point, n))
		case "block":
			time.Sleep(f.block)
		case "fail":
			return fmt.Errorf("chaos: injected %s failure (call %d)", point, n)
		}
	}
	return nil
}
