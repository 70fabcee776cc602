package venueemu

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{
	// Loopback only; any origin may connect, as to the venue's streams.
	CheckOrigin: func(*http.Request) bool { return true },
}

// serveStream is /ws/<stream> and /stream?streams=a/b: depth diff streams
// (<symbol>@depth or <symbol>@depth@100ms, both sent at the market's step).
func (e *Emulator) serveStream(rw http.ResponseWriter, r *http.Request) {
	if !e.conns.enter() {
		return
	}
	defer e.conns.leave()
	combined := r.PathValue("stream") == ""
	names := []string{r.PathValue("stream")}
	if combined {
		names = strings.Split(r.URL.Query().Get("streams"), "/")
	}
	subs := map[string]string{} // venue symbol → stream name
	for _, n := range names {
		sym, kind, _ := strings.Cut(n, "@")
		if (kind != "depth" && kind != "depth@100ms") || e.ex.lookup(strings.ToUpper(sym)) == nil {
			writeJSON(rw, http.StatusBadRequest, struct {
				Code int64  `json:"code"`
				Msg  string `json:"msg"`
			}{-1121, "Invalid stream: " + n})
			return
		}
		subs[strings.ToUpper(sym)] = n
	}
	e.runSocket(rw, r, false, combined, func(c *conn) {
		x := e.ex
		x.mu.Lock()
		x.depthSubs[c] = subs
		x.mu.Unlock()
	}, nil)
}

// runSocket upgrades, registers, then reads until the socket ends; read
// handles each message (nil: messages are ignored).
func (e *Emulator) runSocket(rw http.ResponseWriter, r *http.Request, user, combined bool, register func(*conn), read func(*conn, []byte)) {
	ws, err := upgrader.Upgrade(rw, r, nil)
	if err != nil {
		return
	}
	c := newConn(ws, user, combined)
	if !e.conns.add(c) {
		_ = ws.Close()
		return
	}
	defer e.conns.remove(c)
	register(c)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.write(e.cfg.PingInterval, e.faults.silenced)
	}()
	ws.SetReadLimit(1 << 16)
	// A silenced socket does not even answer pings: the client's own
	// keepalive must notice it.
	ws.SetPingHandler(func(data string) error {
		if e.faults.silenced(user) {
			return nil
		}
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		if err == websocket.ErrCloseSent {
			return nil
		}
		return err
	})
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			break
		}
		if read != nil {
			read(c, msg)
		}
	}
	c.kill()
	wg.Wait()
	x := e.ex
	x.mu.Lock()
	delete(x.depthSubs, c)
	delete(x.userSubs, c)
	x.mu.Unlock()
}

func (x *exchange) lookup(venueSym string) *symbol {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.syms[venueSym]
}

// sendDepth queues a depth update to the sockets that stream its symbol.
func (x *exchange) sendDepth(venueSym string, msg depthUpdate) {
	if len(x.depthSubs) == 0 {
		return
	}
	// Encoded once per stream name, not once per subscriber.
	data, _ := json.Marshal(msg)
	var wrapped map[string][]byte
	for c, subs := range x.depthSubs {
		name, ok := subs[venueSym]
		if !ok {
			continue
		}
		if !c.combined {
			c.push(data)
			continue
		}
		b, ok := wrapped[name]
		if !ok {
			b, _ = json.Marshal(struct {
				Stream string          `json:"stream"`
				Data   json.RawMessage `json:"data"`
			}{name, data})
			if wrapped == nil {
				wrapped = map[string][]byte{}
			}
			wrapped[name] = b
		}
		c.push(b)
	}
}

// reportDelivery holds an execution report back (the reorder fault).
type reportDelivery struct {
	held   any
	heldAt time.Time
}

// sendUser queues a user data event to every subscription, applying the
// duplicate and reorder faults to execution reports.
func (x *exchange) sendUser(ev any) {
	if er, ok := ev.(executionReport); ok {
		if x.delivery.held == nil && x.faults.takeReorder(er.X) {
			x.delivery.held, x.delivery.heldAt = ev, time.Now()
			return
		}
		x.broadcastUser(ev)
		if x.faults.takeDuplicate(er.X) {
			x.broadcastUser(ev)
		}
		x.flushHeld(time.Time{})
		return
	}
	x.broadcastUser(ev)
}

// flushHeld sends a held-back report, if it was held before cutoff (zero:
// whenever).
func (x *exchange) flushHeld(cutoff time.Time) {
	if x.delivery.held == nil || (!cutoff.IsZero() && x.delivery.heldAt.After(cutoff)) {
		return
	}
	held := x.delivery.held
	x.delivery.held = nil
	x.broadcastUser(held)
}

func (x *exchange) broadcastUser(ev any) {
	for c, ids := range x.userSubs {
		for _, id := range ids {
			c.push(userEvent(id, ev))
		}
	}
}

// userEvent wraps an event for a subscription:
// {"subscriptionId":N,"event":{...}}.
func userEvent(id int64, ev any) []byte {
	b, _ := json.Marshal(struct {
		SubscriptionID int64 `json:"subscriptionId"`
		Event          any   `json:"event"`
	}{id, ev})
	return b
}

// terminateUserData ends every subscription with eventStreamTerminated.
func (x *exchange) terminateUserData() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.broadcastUser(streamTerminated{Event: "eventStreamTerminated", E: time.Now().UnixMilli()})
	for c := range x.userSubs {
		delete(x.userSubs, c)
	}
}
