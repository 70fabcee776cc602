package browsertest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// Request is one request the tab made and how it ended.
type Request struct {
	// N is its place in the order the tab sent them, from 0: a test can
	// allow the failures of requests sent before some moment.
	N      int
	Method string
	URL    string
	// Status is the HTTP status, 0 until (or without) a response.
	Status int64
	// Failure is the network error when loading failed (net::ERR_…).
	Failure string
}

// Problems gathers what the tab did wrong: console errors and failed
// assertions, uncaught exceptions, error log entries (CSP violations come
// this way), requests outside the allowed URLs, and requests answered
// with an HTTP error or failing to load unless a test allowed that
// failure. It also keeps every request for tests that look at the
// network (Requests).
type Problems struct {
	mu       sync.Mutex
	problems []string
	allowed  []string // URL prefixes the page may load
	expected map[int]func(Request) bool
	nextID   int
	requests map[string]*Request
	order    []string
}

// AllowURL lets the page load URLs starting with prefix (for example
// "http://127.0.0.1:7445/"). A request to anything else is a problem.
func (p *Problems) AllowURL(prefix string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allowed = append(p.allowed, prefix)
}

// AllowRequest declares failures the test provokes on purpose (the 401 of
// a deliberately wrong login, the refused connections while the daemon
// restarts): a request answered with an HTTP error or failing to load is
// not a problem if ok returns true for it. The returned func withdraws the
// allowance.
func (p *Problems) AllowRequest(ok func(Request) bool) (withdraw func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.expected == nil {
		p.expected = map[int]func(Request) bool{}
	}
	id := p.nextID
	p.nextID++
	p.expected[id] = ok
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.expected, id)
	}
}

// Requests returns every request so far, in the order they were sent.
func (p *Problems) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Request, 0, len(p.order))
	for _, id := range p.order {
		out = append(out, *p.requests[id])
	}
	return out
}

// Take returns the problems so far and forgets them, so that a test can
// check one it provoked. Those left when the test ends fail it.
func (p *Problems) Take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.problems
	p.problems = nil
	return out
}

func (p *Problems) add(format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

func (p *Problems) expectedLocked(r Request) bool {
	for _, ok := range p.expected {
		if ok(r) {
			return true
		}
	}
	return false
}

// event runs in the tab's event loop (chromedp.Listen): it only records.
func (p *Problems) event(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				v := string(a.Value)
				if u, err := strconv.Unquote(v); err == nil && a.Type == runtime.RemoteObjectTypeString {
					v = u
				}
				args = append(args, v+a.Description)
			}
			p.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		desc := ""
		if d.Exception != nil {
			desc = d.Exception.Description
		}
		p.add("exception: %s %s at %s:%d:%d", d.Text, desc, d.URL, d.LineNumber, d.ColumnNumber)
	case *log.EventEntryAdded:
		// The network's own entries ("Failed to load resource: … 401")
		// repeat what the network events below judge, with the allowance.
		if ev.Entry.Level == log.EntryLevelError && ev.Entry.Source != log.EntrySourceNetwork {
			p.add("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		id := string(ev.RequestID)
		r, seen := p.requests[id]
		if !seen {
			r = &Request{}
			p.requests[id] = r
			p.order = append(p.order, id)
		}
		// A redirect sends a new request under the same id.
		*r = Request{N: slices.Index(p.order, id), Method: ev.Request.Method, URL: ev.Request.URL + ev.Request.URLFragment}
		if !slices.ContainsFunc(p.allowed, func(pre string) bool { return strings.HasPrefix(r.URL, pre) }) {
			p.add("unexpected request: %s %s", r.Method, r.URL)
		}
	case *network.EventResponseReceived:
		r := p.requests[string(ev.RequestID)]
		if r == nil || ev.Response == nil {
			return
		}
		r.Status = ev.Response.Status
		if r.Status >= 400 && !p.expectedLocked(*r) {
			p.add("HTTP %d %s for %s %s", r.Status, ev.Response.StatusText, r.Method, r.URL)
		}
	case *network.EventLoadingFailed:
		r := p.requests[string(ev.RequestID)]
		if r == nil {
			return
		}
		r.Failure = ev.ErrorText
		// Canceled: the page aborted it (a stream closed on purpose).
		if !ev.Canceled && !p.expectedLocked(*r) {
			p.add("failed request: %s %s: %s", r.Method, r.URL, ev.ErrorText)
		}
	}
}
