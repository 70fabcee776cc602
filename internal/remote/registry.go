package remote

import (
	"fmt"
	"sync"
)

// Registry holds the strategies waiting for a client, by name: one per
// daemon (its sessions register theirs), or one per backtest.
type Registry struct {
	mu sync.Mutex
	m  map[string]*Strategy
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: make(map[string]*Strategy)} }

// Register makes s findable by its name; a name taken is an error.
func (r *Registry) Register(s *Strategy) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[s.cfg.Name] != nil {
		return fmt.Errorf("a session waits for remote:%s already", s.cfg.Name)
	}
	r.m[s.cfg.Name] = s
	return nil
}

// Unregister removes s, if it is the one registered under its name.
func (r *Registry) Unregister(s *Strategy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[s.cfg.Name] == s {
		delete(r.m, s.cfg.Name)
	}
}

// Lookup is the strategy registered as name, or nil.
func (r *Registry) Lookup(name string) *Strategy {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[name]
}
