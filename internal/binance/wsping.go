package binance

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// pingDivisor: a socket is pinged four times per Silence, so that one lost
// pong does not read as silence.
const pingDivisor = 4

// startPinger pings conn every silence/pingDivisor until the returned stop
// is called, and calls onPong on every answer. The venue pings a socket
// only every 20 s (Binance) and a quiet market or account sends nothing,
// so without our own pings a healthy socket could not be told from a dead
// one within Silence. Binance allows 5 incoming messages a second per
// connection; this sends at most a few. stop waits for the goroutine.
func startPinger(conn *websocket.Conn, silence time.Duration, onPong func()) (stop func()) {
	every := max(silence/pingDivisor, time.Millisecond)
	conn.SetPongHandler(func(string) error { onPong(); return nil })
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				// WriteControl may run beside the reader and the one
				// writer; a failure means the socket is going, which the
				// reader will tell.
				if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(every)) != nil {
					return
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
