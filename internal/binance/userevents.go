package binance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/money"
	"github.com/tradectl/tradectl/internal/venue"
)

// Events are read field by field from a map of exact keys, not into a
// tagged struct: encoding/json matches keys case-insensitively when no
// field has the exact name, so the payload's "P", "I", "Z" or "M" would
// overwrite "p", "i", "z" and "m" unless every letter had a field.
type userFields map[string]json.RawMessage

// handle routes one message of a subscribed socket. A non-nil error ends
// the session (and the reconnect reconciles): the stream terminated, or an
// execution report we could not read, which may hide a fill.
func (u *UserStream) handle(subID int64, data []byte) (err error) {
	defer money.RecoverOverflow(&err) // a venue's absurd number ends the session, not the process
	var msg struct {
		SubscriptionID *int64          `json:"subscriptionId"`
		Event          json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(data, &msg); err != nil || msg.SubscriptionID == nil || len(msg.Event) == 0 {
		return nil // an answer to a request we did not send, or noise
	}
	if *msg.SubscriptionID != subID {
		return nil
	}
	var f userFields
	if err := json.Unmarshal(msg.Event, &f); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	kind := f.str("e")
	switch kind {
	case "executionReport":
		up, ours, err := userExecutionReport(u.cfg.Map, f)
		if err != nil {
			return fmt.Errorf("executionReport: %w", err)
		}
		if ours {
			u.cfg.Sink.Update(up)
		}
	case "outboundAccountPosition":
		bs, err := userBalances(f)
		if err != nil {
			return fmt.Errorf("outboundAccountPosition: %w", err)
		}
		u.cfg.Sink.Balances(bs)
	case "balanceUpdate":
		d, err := f.dec("d")
		if err != nil {
			return fmt.Errorf("balanceUpdate: %w", err)
		}
		asset := f.str("a")
		u.mu.Lock()
		u.external[asset] = u.external[asset].Add(d)
		u.mu.Unlock()
		u.cfg.Logger.Info("user stream: external balance change", "asset", asset, "delta", d.String())
	case "eventStreamTerminated":
		return errStreamTerminated
	default:
		u.cfg.Logger.Debug("user stream: event ignored", "e", kind)
	}
	return nil
}

// userExecutionReport turns an executionReport into an OrderUpdate; ours
// is false for a symbol outside our quote asset (not an order of ours).
func userExecutionReport(m SymbolMap, f userFields) (up OrderUpdate, ours bool, err error) {
	sym, ok := m.FromVenue(f.str("s"))
	if !ok {
		return up, false, nil
	}
	up.Symbol = sym
	// For a cancel, "c" is the cancel request's id and "C" the order's.
	up.ClientID = f.str("c")
	if orig := f.str("C"); orig != "" {
		up.ClientID = orig
	}
	if up.OrderID, err = f.int("i"); err != nil {
		return up, false, err
	}
	up.Status = userOrderStatus(f.str("X"))
	if up.Executed, err = f.dec("z"); err != nil {
		return up, false, err
	}
	if r := f.str("r"); r != "" && r != "NONE" {
		up.Reason = r
	}
	if x := f.str("X"); x == "EXPIRED_IN_MATCH" {
		up.Reason = x
	}
	ev, err := f.int("E")
	if err != nil {
		return up, false, err
	}
	up.Time = time.UnixMilli(ev)
	if f.str("x") != "TRADE" {
		return up, true, nil
	}
	t := Trade{Symbol: sym, ClientID: up.ClientID, OrderID: up.OrderID, FeeAsset: f.str("N")}
	if t.ID, err = f.int("t"); err != nil {
		return up, false, err
	}
	switch f.str("S") {
	case "BUY":
		t.Side = venue.Buy
	case "SELL":
		t.Side = venue.Sell
	default:
		return up, false, fmt.Errorf("side %q", f.str("S"))
	}
	if t.Quantity, err = f.dec("l"); err != nil {
		return up, false, err
	}
	if t.Price, err = f.dec("L"); err != nil {
		return up, false, err
	}
	if t.Fee, err = f.dec("n"); err != nil {
		return up, false, err
	}
	tt, err := f.int("T")
	if err != nil {
		return up, false, err
	}
	t.Time = time.UnixMilli(tt)
	_ = json.Unmarshal(f["m"], &t.Maker)
	// The loop's side refuses such a fill too (venue_apply.go); saying so
	// here names the venue's message as the cause.
	if t.ID < 0 || !t.Quantity.IsPositive() || !t.Price.IsPositive() || t.Fee.IsNegative() {
		return up, false, fmt.Errorf("a TRADE without a trade (t=%d, l=%s, L=%s, n=%s)", t.ID, t.Quantity, t.Price, t.Fee)
	}
	up.Trade = &t
	return up, true, nil
}

// userOrderStatus maps the venue's "X"; EXPIRED_IN_MATCH (self-trade
// prevention) is an expiry.
func userOrderStatus(s string) OrderStatus {
	switch s {
	case "NEW", "PENDING_NEW":
		return StatusNew
	case "PARTIALLY_FILLED":
		return StatusPartiallyFilled
	case "FILLED":
		return StatusFilled
	case "CANCELED":
		return StatusCanceled
	case "REJECTED":
		return StatusRejected
	case "EXPIRED", "EXPIRED_IN_MATCH":
		return StatusExpired
	}
	return StatusUnknown
}

func userBalances(f userFields) ([]Balance, error) {
	var rows []userFields
	if err := json.Unmarshal(f["B"], &rows); err != nil {
		return nil, err
	}
	out := make([]Balance, 0, len(rows))
	for _, r := range rows {
		b := Balance{Asset: r.str("a")}
		var err error
		if b.Free, err = r.dec("f"); err != nil {
			return nil, err
		}
		if b.Locked, err = r.dec("l"); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// str is a string field; "" when absent or null.
func (f userFields) str(k string) string {
	var s string
	_ = json.Unmarshal(f[k], &s)
	return s
}

func (f userFields) int(k string) (int64, error) {
	var n int64
	if err := json.Unmarshal(f[k], &n); err != nil {
		return 0, fmt.Errorf("field %q: %w", k, err)
	}
	return n, nil
}

// dec is a decimal sent as a string, read exactly.
func (f userFields) dec(k string) (money.Decimal, error) {
	var s string
	if err := json.Unmarshal(f[k], &s); err != nil {
		return money.Decimal{}, fmt.Errorf("field %q: %w", k, err)
	}
	d, err := money.Parse(s)
	if err != nil {
		return d, fmt.Errorf("field %q: %w", k, err)
	}
	return d, nil
}

// signWSAPI is the WebSocket API's HMAC signature: every parameter but
// the signature, sorted by name, as name=value joined by &, HMAC-SHA256
// with the secret, in hex.
func signWSAPI(secret Secret, params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + params[k])
	}
	mac := hmac.New(sha256.New, []byte(secret.reveal()))
	mac.Write([]byte(b.String()))
	return hex.EncodeToString(mac.Sum(nil))
}

// describeStreamErr names a refused subscription by its class, as the
// REST errors are: a -1021 is our clock, a -2015 our key.
func describeStreamErr(err error) string {
	switch Classify(err) {
	case ClassClock:
		return "clock: " + err.Error()
	case ClassAuth:
		return "auth: " + err.Error()
	case ClassRateLimited, ClassBanned:
		return "rate limit: " + err.Error()
	}
	return err.Error()
}
