package venueemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tradectl/tradectl/internal/money"
)

// Transfer is a change of a balance from outside trading.
type Transfer struct {
	Time  time.Time     `json:"time"`
	Asset string        `json:"asset"`
	Delta money.Decimal `json:"delta"`
}

type balanceUpdate struct {
	Event string `json:"e"`
	E     int64  `json:"E"`
	A     string `json:"a"`
	D     string `json:"d"`
	T     int64  `json:"T"`
}

// Deposit changes an asset's free balance by delta (negative: a
// withdrawal) from outside trading, and tells the user data stream with a
// balanceUpdate, as the venue tells of deposits and transfers: a change
// a reconciler must accept, not take for a fill. A withdrawal of more than
// is free is refused.
func (e *Emulator) Deposit(asset string, delta money.Decimal) error {
	if asset == "" || delta.IsZero() {
		return errors.New("venueemu: a deposit needs an asset and a non-zero amount")
	}
	x := e.ex
	x.mu.Lock()
	defer x.mu.Unlock()
	b := x.balance(asset)
	if b.free.Add(delta).IsNegative() {
		return fmt.Errorf("venueemu: cannot withdraw %s %s: %s free", delta.Neg(), asset, b.free)
	}
	b.free = b.free.Add(delta)
	now := time.Now()
	x.ledger.Transfers = append(x.ledger.Transfers, Transfer{Time: now, Asset: asset, Delta: delta})
	if len(x.userSubs) > 0 {
		x.sendUser(balanceUpdate{Event: "balanceUpdate", E: now.UnixMilli(), A: asset, D: dec(delta), T: now.UnixMilli()})
	}
	x.emitAccount(map[string]bool{asset: true}, now)
	return nil
}

// serveDeposit is POST /emulator/deposit {"asset":"USDT","delta":"100"}.
func (e *Emulator) serveDeposit(rw http.ResponseWriter, r *http.Request) {
	if !e.conns.enter() {
		return
	}
	defer e.conns.leave()
	var t Transfer
	d := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<12))
	d.DisallowUnknownFields()
	err := d.Decode(&t)
	if err == nil {
		err = e.Deposit(t.Asset, t.Delta)
	}
	if err != nil {
		writeJSON(rw, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(rw, http.StatusOK, map[string]string{"asset": t.Asset, "delta": t.Delta.String()})
}
