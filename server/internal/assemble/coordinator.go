package assemble

import (
	"log/slog"

	"github.com/tradectl/tradectl/internal/coordinator"
	"github.com/tradectl/tradectl/internal/orders"
)

// Wiring is what the session lends the loop: where it makes ticks durable,
// publishes order events, says it halted, and logs.
type Wiring struct {
	// Journal makes each tick durable; nil keeps it in memory only.
	Journal coordinator.Journal
	Publish func(orders.Event)
	OnHalt  func()
	Logger  *slog.Logger
}

// Coordinator ties the parts into the session's trading loop, not started.
// r is set for a resumed session: its order numbers and counters go on.
func Coordinator(s Spec, p Parts, w Wiring, r *Restored) (*coordinator.Coordinator, error) {
	cfg := coordinator.Config{
		OrderPrefix:  s.ID[:8],
		TickInterval: s.TickInterval,
		Source:       p.Source,
		Venue:        p.Venue,
		Strategy:     p.Strategy,
		Portfolio:    p.Portfolio,
		Risk:         p.Risk,
		Orders:       p.Orders,
		Publish:      w.Publish,
		Margin:       s.Settings.Margin(),
		OnHalt:       w.OnHalt,
		Logger:       w.Logger,
		Journal:      w.Journal,
	}
	if r != nil {
		cfg.FirstOrderSeq, cfg.Counts, cfg.Peak = r.OrderSeq, r.Counts, r.Peak
	}
	return coordinator.New(cfg)
}
