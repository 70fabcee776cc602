package session

// State is a session's lifecycle. Stopped and Failed are final.
type State int

const (
	StateUnspecified State = iota
	StateStarting
	StateRunning
	StateStopping
	StateStopped
	StateFailed
	// StateInterrupted: the daemon stopped (a crash, kill -9, a power
	// cut) while the session ran; it is found so in the store at start.
	StateInterrupted
	// StateAbandoned: an interrupted session an operator chose not to
	// resume; its open orders were cancelled.
	StateAbandoned
)

func (s State) String() string {
	switch s {
	case StateStarting:
		return "STARTING"
	case StateRunning:
		return "RUNNING"
	case StateStopping:
		return "STOPPING"
	case StateStopped:
		return "STOPPED"
	case StateFailed:
		return "FAILED"
	case StateInterrupted:
		return "INTERRUPTED"
	case StateAbandoned:
		return "ABANDONED"
	}
	return "UNSPECIFIED"
}

// Active reports whether the session still holds the daemon's one slot.
func (s State) Active() bool {
	return s == StateStarting || s == StateRunning || s == StateStopping
}
