package venueemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// apiError is an answer that is not a success: {"code":N,"msg":"..."} with
// the documented HTTP status, and Retry-After (seconds) where one applies.
type apiError struct {
	status     int
	code       int64
	msg        string
	retryAfter int64
}

func apiErr(status int, code int64, msg string) *apiError {
	return &apiError{status: status, code: code, msg: msg}
}

func (e *apiError) verdict() string { return fmt.Sprintf("HTTP %d %d %s", e.status, e.code, e.msg) }

func missing(name string) *apiError {
	return apiErr(400, -1102, "Mandatory parameter '"+name+"' was not sent, was empty/null, or malformed.")
}

// reqCtx is one REST request as the handlers see it.
type reqCtx struct {
	w      http.ResponseWriter
	r      *http.Request
	params url.Values
	now    time.Time
	// withheld: the handler answers nothing (accept-then-timeout).
	withheld bool
}

type handlerFunc func(rc *reqCtx) (any, *apiError)

// endpointSpec is one REST endpoint: its weight (a function of the
// parameters for depth and openOrders), whether it is signed, and whether
// it places orders (order count headers and the ledger).
type endpointSpec struct {
	weight func(url.Values) int64
	signed bool
	places bool
	h      handlerFunc
}

func w(n int64) func(url.Values) int64 { return func(url.Values) int64 { return n } }

// recvWindow bounds: the venue's default and maximum.
const (
	defaultRecvWindow = 5000
	maxRecvWindow     = 60000
	// aheadTolerance is how far ahead of the server's clock a timestamp may be.
	aheadTolerance = 1000
)

// serve runs one REST request through the venue's gates in the venue's
// order (faults, rate limits, authentication) and writes the answer.
func (e *Emulator) serve(spec endpointSpec) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !e.conns.enter() {
			return
		}
		defer e.conns.leave()
		rc := &reqCtx{w: rw, r: r, now: time.Now()}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		rc.params, _ = url.ParseQuery(r.URL.RawQuery)
		form, _ := url.ParseQuery(string(body))
		for k, v := range form {
			rc.params[k] = append(rc.params[k], v...)
		}
		resp, aerr := e.gate(rc, spec, body)
		if aerr == nil {
			resp, aerr = spec.h(rc)
		}
		if spec.places {
			e.ex.record(rc, resp, aerr)
		}
		if rc.withheld {
			e.withhold(rc)
			return
		}
		if spec.places && aerr == nil {
			c10, cday := e.limits.orderCounts(rc.now)
			rw.Header().Set("X-MBX-ORDER-COUNT-10S", strconv.FormatInt(c10, 10))
			rw.Header().Set("X-MBX-ORDER-COUNT-1D", strconv.FormatInt(cday, 10))
		}
		if aerr != nil {
			writeError(rw, aerr)
			return
		}
		writeJSON(rw, http.StatusOK, resp)
	})
}

// gate applies the faults, the rate limits and the signature.
func (e *Emulator) gate(rc *reqCtx, spec endpointSpec, body []byte) (any, *apiError) {
	if d := e.faults.takeDelay(rc.r.URL.Path); d > 0 {
		select {
		case <-time.After(d):
		case <-rc.r.Context().Done():
			return nil, apiErr(503, -1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown.")
		}
	}
	if ae := e.faults.takeFailure(rc.r.URL.Path); ae != nil {
		return nil, ae
	}
	used, ae := e.limits.admit(rc.now, spec.weight(rc.params))
	rc.w.Header().Set("X-MBX-USED-WEIGHT-1M", strconv.FormatInt(used, 10))
	if ae != nil {
		return nil, ae
	}
	if spec.signed {
		if ae := e.authenticate(rc, body); ae != nil {
			return nil, ae
		}
	}
	if spec.places {
		if ae := e.limits.admitOrder(rc.now); ae != nil {
			return nil, ae
		}
	}
	return nil, nil
}

// authenticate checks the API key, the HMAC-SHA256 signature of the query
// string followed by the body, and the timestamp against recvWindow.
func (e *Emulator) authenticate(rc *reqCtx, body []byte) *apiError {
	key := rc.r.Header.Get("X-MBX-APIKEY")
	if key == "" {
		return apiErr(401, -2014, "API-key format invalid.")
	}
	if !hmac.Equal([]byte(key), []byte(e.cfg.APIKey)) {
		return apiErr(401, -2015, "Invalid API-key, IP, or permissions for action.")
	}
	sig := rc.params.Get("signature")
	payload := stripParam(rc.r.URL.RawQuery, "signature") + stripParam(string(body), "signature")
	if sig == "" || !validSignature(e.cfg.Secret, payload, sig) {
		return apiErr(400, -1022, "Signature for this request is not valid.")
	}
	return checkTimestamp(rc.params.Get("timestamp"), rc.params.Get("recvWindow"), rc.now)
}

// checkTimestamp is the venue's recvWindow rule: a request is refused if
// it is more than a second ahead of the server's clock, or older than
// recvWindow when it arrives.
func checkTimestamp(ts, window string, now time.Time) *apiError {
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return missing("timestamp")
	}
	rw := money.FromInt(defaultRecvWindow)
	if window != "" {
		rw, err = money.Parse(window)
		if err != nil || !rw.IsPositive() {
			return missing("recvWindow")
		}
		if rw.Cmp(money.FromInt(maxRecvWindow)) > 0 {
			return apiErr(400, -1131, "recvWindow must be less than 60000")
		}
	}
	server := now.UnixMilli()
	if t-server > aheadTolerance {
		return apiErr(400, -1021, fmt.Sprintf("Timestamp for this request was %dms ahead of the server's time.", aheadTolerance))
	}
	if money.FromInt(server-t).Cmp(rw) > 0 {
		return apiErr(400, -1021, "Timestamp for this request is outside of the recvWindow.")
	}
	return nil
}

func validSignature(secret, payload, sig string) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(payload))
	want := hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(strings.ToLower(sig)))
}

// stripParam removes name=... pairs from an encoded query, keeping the
// rest byte for byte: the signature covers the string as sent.
func stripParam(q, name string) string {
	if !strings.Contains(q, name+"=") {
		return q
	}
	parts := strings.Split(q, "&")
	kept := parts[:0]
	for _, p := range parts {
		if !strings.HasPrefix(p, name+"=") {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}

// withhold answers nothing: it waits until the client gives up (or the
// emulator closes) and then drops the connection, as a request that timed
// out somewhere between the venue and the client.
func (e *Emulator) withhold(rc *reqCtx) {
	select {
	case <-rc.r.Context().Done():
	case <-e.ctx.Done():
	}
	if hj, ok := rc.w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
		}
	}
}

func writeError(rw http.ResponseWriter, e *apiError) {
	if e.retryAfter > 0 {
		rw.Header().Set("Retry-After", strconv.FormatInt(e.retryAfter, 10))
	}
	writeJSON(rw, e.status, struct {
		Code int64  `json:"code"`
		Msg  string `json:"msg"`
	}{e.code, e.msg})
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":-1000,"msg":"An unknown error occurred while processing the request."}`)
	}
	rw.Header().Set("Content-Type", "application/json;charset=UTF-8")
	rw.WriteHeader(status)
	_, _ = rw.Write(b)
}

// routes maps the venue's paths; admin paths live under /emulator/.
func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	depthWeight := func(p url.Values) int64 {
		n, _ := strconv.Atoi(p.Get("limit"))
		switch {
		case n > 1000:
			return 250
		case n > 500:
			return 50
		case n > 100:
			return 25
		}
		return 5
	}
	openWeight := func(p url.Values) int64 {
		if p.Get("symbol") == "" {
			return 80
		}
		return 6
	}
	for path, spec := range map[string]endpointSpec{
		"GET /api/v3/ping":         {weight: w(1), h: func(*reqCtx) (any, *apiError) { return struct{}{}, nil }},
		"GET /api/v3/time":         {weight: w(1), h: e.serverTime},
		"GET /api/v3/exchangeInfo": {weight: w(20), h: e.exchangeInfo},
		"GET /api/v3/depth":        {weight: depthWeight, h: e.depth},
		"GET /api/v3/avgPrice":     {weight: w(2), h: e.avgPrice},
		"GET /api/v3/account":      {weight: w(20), signed: true, h: e.account},
		"POST /api/v3/order":       {weight: w(1), signed: true, places: true, h: e.placeOrder},
		"GET /api/v3/order":        {weight: w(4), signed: true, h: e.queryOrder},
		"DELETE /api/v3/order":     {weight: w(1), signed: true, h: e.cancelOrder},
		"GET /api/v3/openOrders":   {weight: openWeight, signed: true, h: e.openOrders},
		"GET /api/v3/myTrades":     {weight: w(20), signed: true, h: e.myTrades},
	} {
		mux.Handle(path, e.serve(spec))
	}
	mux.HandleFunc("GET /ws/{stream}", e.serveStream)
	mux.HandleFunc("GET /stream", e.serveStream)
	mux.HandleFunc("GET /ws-api/v3", e.serveWSAPI)
	mux.HandleFunc("GET /emulator/ledger", e.serveLedger)
	mux.HandleFunc("POST /emulator/faults", e.serveFaults)
	mux.HandleFunc("POST /emulator/deposit", e.serveDeposit)
	return mux
}
