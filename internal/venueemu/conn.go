package venueemu

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// conn is one WebSocket: a buffered queue of messages that one writer
// goroutine sends (with the ping frames), so that the exchange, which
// queues under its lock, never waits for a client. A client too slow to
// drain its queue is dropped, as the venue drops slow consumers.
type conn struct {
	ws       *websocket.Conn
	send     chan []byte
	user     bool // a WS API socket (silence applies per kind)
	combined bool // a /stream socket: events wrapped with their stream name
	dead     chan struct{}
	once     sync.Once
}

const (
	// sendQueue is what a client may fall behind by: 25 s of a 100 ms
	// stream, or a burst of 256 reports.
	sendQueue    = 256
	writeTimeout = 5 * time.Second
)

func newConn(ws *websocket.Conn, user, combined bool) *conn {
	return &conn{ws: ws, send: make(chan []byte, sendQueue), user: user, combined: combined, dead: make(chan struct{})}
}

// push queues b, or drops the connection if its queue is full.
func (c *conn) push(b []byte) {
	select {
	case c.send <- b:
	default:
		c.kill()
	}
}

// kill closes the socket; the reader and writer then end.
func (c *conn) kill() {
	c.once.Do(func() {
		close(c.dead)
		_ = c.ws.Close()
	})
}

// write sends the queue and a ping every interval until the connection
// dies; silent says whether to send nothing at all (a fault).
func (c *conn) write(interval time.Duration, silent func(user bool) bool) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.dead:
			return
		case b := <-c.send:
			if silent(c.user) {
				continue // lost, as on a stalled connection
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				c.kill()
				return
			}
		case <-t.C:
			if silent(c.user) {
				continue
			}
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				c.kill()
				return
			}
		}
	}
}

// connSet tracks the handlers in flight and the WebSockets, which the
// HTTP server forgets once hijacked, so that Close can end them all and
// wait for them.
type connSet struct {
	mu     sync.Mutex
	closed bool
	conns  map[*conn]struct{}
	active sync.WaitGroup
}

// enter registers a handler; false once closing (the handler returns).
func (s *connSet) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.active.Add(1)
	return true
}

func (s *connSet) leave() { s.active.Done() }

// add registers a WebSocket; false once closing.
func (s *connSet) add(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.conns == nil {
		s.conns = make(map[*conn]struct{})
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *connSet) remove(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// dropWebSockets closes every WebSocket (a fault: the clients reconnect).
func (s *connSet) dropWebSockets() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.kill()
	}
}

// closeAll refuses new handlers and WebSockets and closes the open ones.
func (s *connSet) closeAll() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.dropWebSockets()
}

// wait returns once every handler has returned.
func (s *connSet) wait() { s.active.Wait() }
