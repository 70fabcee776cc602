package venueemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

type wsAnswer struct {
	ID         json.RawMessage `json:"id"`
	Status     int             `json:"status"`
	Result     any             `json:"result,omitempty"`
	Error      *wsError        `json:"error,omitempty"`
	RateLimits []wsRateLimit   `json:"rateLimits"`
}

type wsError struct {
	Code int64  `json:"code"`
	Msg  string `json:"msg"`
}

type wsRateLimit struct {
	RateLimitType string `json:"rateLimitType"`
	Interval      string `json:"interval"`
	IntervalNum   int64  `json:"intervalNum"`
	Limit         int64  `json:"limit"`
	Count         int64  `json:"count"`
}

// serveWSAPI is /ws-api/v3: the user data subscription
// (userDataStream.subscribe.signature, .unsubscribe), ping and time.
func (e *Emulator) serveWSAPI(rw http.ResponseWriter, r *http.Request) {
	if !e.conns.enter() {
		return
	}
	defer e.conns.leave()
	e.runSocket(rw, r, true, false, func(*conn) {}, e.wsRequest)
}

// wsRequest answers one WebSocket API request:
// {"id":..,"method":..,"params":{..}}.
func (e *Emulator) wsRequest(c *conn, msg []byte) {
	d := json.NewDecoder(bytes.NewReader(msg))
	d.UseNumber() // params are signed as sent: keep numbers' text
	var raw struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params map[string]any  `json:"params"`
	}
	if err := d.Decode(&raw); err != nil {
		e.answer(c, wsAnswer{ID: json.RawMessage("null"), Status: 400,
			Error: &wsError{Code: -1000, Msg: "Malformed request."}})
		return
	}
	if len(raw.ID) == 0 {
		raw.ID = json.RawMessage("null")
	}
	now := time.Now()
	ans := wsAnswer{ID: raw.ID, Status: 200}
	switch raw.Method {
	case "ping":
		ans.Result = struct{}{}
	case "time":
		ans.Result = struct {
			ServerTime int64 `json:"serverTime"`
		}{now.UnixMilli()}
	case "userDataStream.subscribe.signature":
		if ae := e.checkWSSignature(raw.Params, now); ae != nil {
			ans.Status, ans.Error = ae.status, &wsError{ae.code, ae.msg}
			break
		}
		// The answer is queued with the subscription, under the
		// exchange's lock, so that no event overtakes it.
		e.ex.mu.Lock()
		defer e.ex.mu.Unlock()
		if len(e.ex.userSubs[c]) > 0 {
			ans.Status, ans.Error = 400, &wsError{-2035, "User Data Stream subscription already active."}
		} else {
			id := e.ex.nextSubID
			e.ex.nextSubID++
			e.ex.userSubs[c] = []int64{id}
			ans.Result = struct {
				SubscriptionID int64 `json:"subscriptionId"`
			}{id}
		}
		c.push(e.encodeAnswer(ans))
		return
	case "userDataStream.unsubscribe":
		e.ex.unsubscribe(c)
		ans.Result = struct{}{}
	default:
		ans.Status, ans.Error = 400, &wsError{-1020, "This operation is not supported."}
	}
	e.answer(c, ans)
}

func (e *Emulator) answer(c *conn, a wsAnswer) {
	b := e.encodeAnswer(a)
	e.ex.mu.Lock() // the queue's order is the exchange's
	c.push(b)
	e.ex.mu.Unlock()
}

// encodeAnswer adds the rateLimits every WS API answer carries.
func (e *Emulator) encodeAnswer(a wsAnswer) []byte {
	used := e.limits.peek(time.Now())
	a.RateLimits = []wsRateLimit{{"REQUEST_WEIGHT", "MINUTE", 1, e.cfg.Limits.WeightPerMinute, used}}
	b, _ := json.Marshal(a)
	return b
}

// checkWSSignature checks a signed WS API request: apiKey, timestamp,
// (recvWindow) and signature, the hex HMAC-SHA256 of the other params
// sorted by name as a query string.
func (e *Emulator) checkWSSignature(params map[string]any, now time.Time) *apiError {
	key, _ := params["apiKey"].(string)
	if key == "" {
		return missing("apiKey")
	}
	if key != e.cfg.APIKey {
		return apiErr(401, -2015, "Invalid API-key, IP, or permissions for action.")
	}
	sig, _ := params["signature"].(string)
	v := url.Values{}
	for k, p := range params {
		if k != "signature" {
			v.Set(k, fmt.Sprint(p))
		}
	}
	if sig == "" || !validSignature(e.cfg.Secret, v.Encode(), sig) {
		return apiErr(400, -1022, "Signature for this request is not valid.")
	}
	return checkTimestamp(fmt.Sprint(params["timestamp"]), optional(params["recvWindow"]), now)
}

func optional(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// unsubscribe ends the connection's subscription, which, as the docs
// say, sends it eventStreamTerminated.
func (x *exchange) unsubscribe(c *conn) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range x.userSubs[c] {
		c.push(userEvent(id, streamTerminated{Event: "eventStreamTerminated", E: time.Now().UnixMilli()}))
	}
	delete(x.userSubs, c)
}
