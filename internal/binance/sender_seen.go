package binance

// maxSeen bounds how many client ids the sender remembers having sent or
// asked about. Without a bound the set grew by one entry per order for
// the session's whole life (a grid placing ten orders a second kept 860 k
// ids a day). Forgetting the oldest is safe: the sender's only caller, the
// Venue, refuses an id it still remembers (its open orders and the last
// maxFinished ended ones), and the loop's ids are sequence numbers that
// never repeat. This set is the second guard, kept several times longer
// than the Venue's memory: at most a few MiB.
const maxSeen = 1 << 16

// idSet is a set of client ids that forgets the oldest beyond max.
type idSet struct {
	max  int
	m    map[string]struct{}
	ring []string // insertion order; next is the oldest once full
	next int
}

func newIDSet(max int) *idSet { return &idSet{max: max, m: map[string]struct{}{}} }

func (s *idSet) has(id string) bool { _, ok := s.m[id]; return ok }

func (s *idSet) len() int { return len(s.m) }

func (s *idSet) add(id string) {
	if s.has(id) {
		return
	}
	if len(s.ring) < s.max {
		s.ring = append(s.ring, id)
	} else {
		delete(s.m, s.ring[s.next])
		s.ring[s.next] = id
		s.next = (s.next + 1) % s.max
	}
	s.m[id] = struct{}{}
}
