package settings

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradectl/tradectl/internal/echo"
)

// RemotePrefix starts the strategy of a session driven by a strategy of
// its own over StrategyService: "remote:NAME", NAME being what the
// strategy says in its hello.
const RemotePrefix = "remote:"

// MaxRemoteName bounds a remote strategy's name: it appears in health
// reasons, errors and logs.
const MaxRemoteName = 64

// DetachPolicy is what becomes of a remote strategy's open orders when it
// detaches.
type DetachPolicy int

const (
	// DetachUnspecified takes DetachCancel.
	DetachUnspecified DetachPolicy = iota
	// DetachCancel cancels them at once: nobody is watching them.
	DetachCancel
	// DetachKeep leaves them resting for a re-attached strategy.
	DetachKeep
)

// Bounds and defaults of a remote strategy's supervision: a grace short
// enough to notice a typo in the name, an answer timeout long enough for
// a strategy across the world yet short enough to be told within the hour.
const (
	DefaultAttachGrace   = 60 * time.Second
	MinAttachGrace       = time.Second
	MaxAttachGrace       = 24 * time.Hour
	DefaultAnswerTimeout = time.Second
	MinAnswerTimeout     = 10 * time.Millisecond
	MaxAnswerTimeout     = time.Hour
)

// RemoteName is the NAME of a strategy "remote:NAME"; ok is false for a
// built-in strategy. It does not check NAME: Validate does.
func RemoteName(strategy string) (name string, ok bool) {
	return strings.CutPrefix(strategy, RemotePrefix)
}

// IsRemote reports whether the session is driven by a remote strategy.
func (s Settings) IsRemote() bool {
	_, ok := RemoteName(s.Strategy)
	return ok
}

// validName: letters, digits, '.', '_' and '-', so that a name reads the
// same in a health reason, a log line and a shell.
func validName(name string) bool {
	if name == "" || len(name) > MaxRemoteName {
		return false
	}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// validateRemote checks a remote strategy's name and supervision settings,
// and refuses those settings for a built-in strategy, which has no use
// for them: taking them silently would let a user believe they apply.
func (s Settings) validateRemote() error {
	name, remote := RemoteName(s.Strategy)
	if !remote {
		const reason = "only a remote strategy has it: set settings.strategy to remote:NAME, or leave it unset"
		switch {
		case s.OnDetach != DetachUnspecified:
			return &InvalidError{Field: "settings.on_detach", Reason: reason}
		case s.AttachGrace != 0:
			return &InvalidError{Field: "settings.attach_grace", Reason: reason}
		case s.AnswerTimeout != 0:
			return &InvalidError{Field: "settings.answer_timeout", Reason: reason}
		}
		return nil
	}
	if !validName(name) {
		return &InvalidError{Field: "settings.strategy", Reason: "remote strategy name " + echo.Quote(name) +
			": must be 1 to 64 letters, digits, '.', '_' or '-'"}
	}
	if len(s.Params) > 0 {
		k := slices.Min(slices.Collect(maps.Keys(s.Params)))
		return &InvalidError{Field: "settings.params[" + echo.Name(k) + "]",
			Reason: "a remote strategy takes no parameters here: it sends its own in its hello"}
	}
	switch s.OnDetach {
	case DetachUnspecified, DetachCancel, DetachKeep:
	default:
		return &InvalidError{Field: "settings.on_detach", Reason: "must be DETACH_POLICY_CANCEL or DETACH_POLICY_KEEP"}
	}
	if err := bound("settings.attach_grace", s.AttachGrace, MinAttachGrace, MaxAttachGrace); err != nil {
		return err
	}
	return bound("settings.answer_timeout", s.AnswerTimeout, MinAnswerTimeout, MaxAnswerTimeout)
}

// remoteDefaults fills a remote strategy's supervision settings; a
// built-in strategy's stay zero, as they were before remote strategies.
func (s *Settings) remoteDefaults() {
	if !s.IsRemote() {
		return
	}
	if s.OnDetach == DetachUnspecified {
		s.OnDetach = DetachCancel
	}
	if s.AttachGrace == 0 {
		s.AttachGrace = DefaultAttachGrace
	}
	if s.AnswerTimeout == 0 {
		s.AnswerTimeout = DefaultAnswerTimeout
	}
}

func detachName(p DetachPolicy) string {
	switch p {
	case DetachUnspecified:
		return "unset"
	case DetachCancel:
		return "cancel"
	case DetachKeep:
		return "keep"
	}
	return strconv.Itoa(int(p))
}
