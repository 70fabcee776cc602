package venueemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Faults is a fault plan: what goes wrong next. Counts fire once per
// occasion and count down; flags hold until the next plan replaces them;
// the two one-shot actions (DropConnections, TerminateUserData) happen
// when the plan is set. The zero plan is a healthy venue. POST
// /emulator/faults takes the same fields as JSON.
type Faults struct {
	// DropConnections closes every WebSocket now (streams and WS API).
	DropConnections bool `json:"dropConnections,omitempty"`
	// SilenceStreams keeps market streams open but sends them nothing,
	// pings included; SilenceUserData does the same to WS API sockets.
	SilenceStreams  bool `json:"silenceStreams,omitempty"`
	SilenceUserData bool `json:"silenceUserData,omitempty"`
	// The next DelayCount REST requests whose path starts with DelayPath
	// ("" for any) are answered DelayMillis late.
	DelayPath   string `json:"delayPath,omitempty"`
	DelayMillis int64  `json:"delayMillis,omitempty"`
	DelayCount  int    `json:"delayCount,omitempty"`
	// The next Fail5xx REST requests whose path starts with FailPath are
	// answered 500 -1000 without being executed.
	Fail5xx  int    `json:"fail5xx,omitempty"`
	FailPath string `json:"failPath,omitempty"`
	// The next RateLimited REST requests are answered RateLimitStatus
	// (429, the default, or 418) with Retry-After RetryAfterSeconds
	// (default 1).
	RateLimited       int   `json:"rateLimited,omitempty"`
	RateLimitStatus   int   `json:"rateLimitStatus,omitempty"`
	RetryAfterSeconds int64 `json:"retryAfterSeconds,omitempty"`
	// The next AcceptThenTimeout orders are executed and their answer
	// withheld until the client gives up; then the connection is closed.
	AcceptThenTimeout int `json:"acceptThenTimeout,omitempty"`
	// The next DuplicateReports execution reports are sent twice; the
	// next ReorderReports are each held back and sent after the report
	// that follows (or half a second later if none does).
	DuplicateReports int `json:"duplicateReports,omitempty"`
	ReorderReports   int `json:"reorderReports,omitempty"`
	// ReportType, if set, limits both to reports of that execution type
	// ("TRADE": the fills, which a client must apply once by trade id).
	ReportType string `json:"reportType,omitempty"`
	// The next DepthGaps depth updates are lost: the update after shows a
	// gap in the update ids.
	DepthGaps int `json:"depthGaps,omitempty"`
	// TerminateUserData ends every user data subscription now with an
	// eventStreamTerminated event; the sockets stay open.
	TerminateUserData bool `json:"terminateUserData,omitempty"`
}

type faultState struct {
	mu   sync.Mutex
	plan Faults
}

// SetFaults replaces the fault plan and carries out its one-shot actions.
func (e *Emulator) SetFaults(f Faults) {
	drop, term := f.DropConnections, f.TerminateUserData
	f.DropConnections, f.TerminateUserData = false, false
	if f.RateLimitStatus == 0 {
		f.RateLimitStatus = http.StatusTooManyRequests
	}
	if f.RetryAfterSeconds <= 0 {
		f.RetryAfterSeconds = 1
	}
	e.faults.mu.Lock()
	e.faults.plan = f
	e.faults.mu.Unlock()
	e.cfg.Logger.Info("venueemu: fault plan set", "plan", f, "dropConnections", drop, "terminateUserData", term)
	if term {
		e.ex.terminateUserData()
	}
	if drop {
		e.conns.dropWebSockets()
	}
}

// Faults returns what is left of the plan.
func (e *Emulator) Faults() Faults {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	return e.faults.plan
}

func (e *Emulator) serveFaults(rw http.ResponseWriter, r *http.Request) {
	if !e.conns.enter() {
		return
	}
	defer e.conns.leave()
	var f Faults
	dec := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeJSON(rw, http.StatusBadRequest, map[string]string{"error": "fault plan: " + err.Error()})
		return
	}
	if f.RateLimitStatus != 0 && f.RateLimitStatus != 429 && f.RateLimitStatus != 418 {
		writeJSON(rw, http.StatusBadRequest, map[string]string{"error": "fault plan: rateLimitStatus must be 429 or 418"})
		return
	}
	e.SetFaults(f)
	writeJSON(rw, http.StatusOK, e.Faults())
}

// take decrements *n if positive and reports whether it was.
func (s *faultState) take(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n <= 0 {
		return false
	}
	*n--
	return true
}

func (s *faultState) takeDelay(path string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.plan
	if p.DelayCount <= 0 || !strings.HasPrefix(path, p.DelayPath) {
		return 0
	}
	p.DelayCount--
	return time.Duration(p.DelayMillis) * time.Millisecond
}

// takeFailure is the injected 5xx or rate limit for the next request.
func (s *faultState) takeFailure(path string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.plan
	if p.Fail5xx > 0 && strings.HasPrefix(path, p.FailPath) {
		p.Fail5xx--
		return apiErr(500, -1000, "An unknown error occurred while processing the request.")
	}
	if p.RateLimited > 0 {
		p.RateLimited--
		var e *apiError
		if p.RateLimitStatus == http.StatusTeapot {
			now := time.Now()
			e = banned(now, now.Add(time.Duration(p.RetryAfterSeconds)*time.Second))
		} else {
			e = apiErr(429, -1003, "Too much request weight used; current limit exceeded (fault injected).")
		}
		e.retryAfter = p.RetryAfterSeconds
		return e
	}
	return nil
}

func (s *faultState) takeAcceptTimeout() bool { return s.take(&s.plan.AcceptThenTimeout) }
func (s *faultState) takeDepthGap() bool      { return s.take(&s.plan.DepthGaps) }

// takeDuplicate and takeReorder apply to an execution report of type exec.
func (s *faultState) takeDuplicate(exec string) bool {
	return s.reportFault(&s.plan.DuplicateReports, exec)
}

func (s *faultState) takeReorder(exec string) bool {
	return s.reportFault(&s.plan.ReorderReports, exec)
}

func (s *faultState) reportFault(n *int, exec string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n <= 0 || (s.plan.ReportType != "" && s.plan.ReportType != exec) {
		return false
	}
	*n--
	return true
}

func (s *faultState) silenced(user bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if user {
		return s.plan.SilenceUserData
	}
	return s.plan.SilenceStreams
}
