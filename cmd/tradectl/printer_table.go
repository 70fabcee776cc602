package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// tablePrinter writes aligned key/value blocks for people to read.
type tablePrinter struct{ w io.Writer }

func (p *tablePrinter) StartTrading(r *tradingv1.StartTradingResponse) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	if r.GetAlreadyRunning() {
		fmt.Fprintln(tw, "already running: an identical session runs; no new one started")
	}
	sessionRows(tw, r.GetSession())
	settingsRows(tw, r.GetSession().GetSettings())
	return tw.Flush()
}

func (p *tablePrinter) StopTrading(r *tradingv1.StopTradingResponse) error {
	s := r.GetSession()
	if s == nil {
		_, err := fmt.Fprintln(p.w, "no session has run")
		return err
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	if !r.GetWasRunning() {
		fmt.Fprintln(tw, "no session was running; the last one:")
	}
	sessionRows(tw, s)
	summaryRows(tw, s.GetSummary())
	if ids := r.GetUnsettledOrders(); len(ids) > 0 {
		row(tw, "UNSETTLED", fmt.Sprintf("%d orders not settled by the deadline, may still be open: %s", len(ids), firstIDs(ids, 10)))
	}
	return tw.Flush()
}

func (p *tablePrinter) Status(r *tradingv1.GetStatusResponse) error {
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
	if s := r.GetSession(); s != nil {
		sessionRows(tw, s)
		settingsRows(tw, s.GetSettings())
		if m := s.GetSummary(); m != nil {
			riskRows(tw, m.GetRisk())
			row(tw, "OPEN ORDERS", m.GetOpenOrders())
		}
	} else {
		row(tw, "SESSION", "none has run")
	}
	healthRows(tw, r.GetHealth())
	return tw.Flush()
}

func (p *tablePrinter) HealthReport(r *tradingv1.HealthReport) error {
	_, err := fmt.Fprintln(p.w, healthLine(r))
	return err
}

// healthLine is one watch-health line; reasons are shown only for
// components that are not healthy, to keep a healthy line short.
func healthLine(r *tradingv1.HealthReport) string {
	id := r.GetSessionId()
	if len(id) > 8 {
		id = id[:8]
	}
	line := fmt.Sprintf("%s %s session=%s state=%s up=%s ticks=%d equity=%s pnl_after_fees=%s",
		r.GetTime().AsTime().Local().Format("15:04:05.000"), enum(r.GetStatus(), "HEALTH_STATUS_"),
		orDash(id), enum(r.GetSessionState(), "SESSION_STATE_"), r.GetUptime().AsDuration().Round(time.Second),
		r.GetTicks(), orDash(r.GetEquity()), signed(r.GetPnl()))
	var unwell []string
	for _, c := range r.GetComponents() {
		if c.GetStatus() != tradingv1.HealthStatus_HEALTH_STATUS_HEALTHY && c.GetReason() != "" {
			unwell = append(unwell, c.GetName()+": "+c.GetReason())
		}
	}
	if len(unwell) > 0 {
		line += " [" + strings.Join(unwell, "; ") + "]"
	}
	return line
}

func sessionRows(tw io.Writer, s *tradingv1.Session) {
	row(tw, "SESSION", s.GetId())
	state := enum(s.GetState(), "SESSION_STATE_")
	if s.GetState() == tradingv1.SessionState_SESSION_STATE_INTERRUPTED {
		state += ": tradingd stopped while it ran; it trades no more until resumed"
	}
	row(tw, "STATE", state)
	row(tw, "MODE", enum(s.GetSettings().GetMode(), "MODE_"))
	row(tw, "SYMBOLS", strings.Join(s.GetSettings().GetSymbols(), ","))
	row(tw, "STARTED", timestamp(s.GetStartTime()))
	if end := s.GetEndTime(); end != nil {
		row(tw, "ENDED", timestamp(end))
		row(tw, "RAN FOR", end.AsTime().Sub(s.GetStartTime().AsTime()).Round(time.Millisecond))
	}
	if s.GetReason() != "" {
		row(tw, "REASON", s.GetReason())
	}
}

func settingsRows(tw io.Writer, s *tradingv1.SessionSettings) {
	row(tw, "TICK INTERVAL", dur(s.GetTickInterval(), "-"))
	row(tw, "HEALTH INTERVAL", dur(s.GetHealthInterval(), "-"))
	row(tw, "DURATION", dur(s.GetDuration(), "until stopped"))
	row(tw, "AUTO RESTART", s.GetAutoRestart())
	live := isLive(s) // the paper venue's seed, cash, fees and latency do not apply
	if !live {
		row(tw, "SEED", s.GetSeed())
	}
	row(tw, "STRATEGY", orDash(s.GetStrategy()))
	row(tw, "PARAMS", params(s.GetParams()))
	if strings.HasPrefix(s.GetStrategy(), "remote:") {
		row(tw, "SUPERVISION", supervision(s))
	}
	if !live {
		row(tw, "STARTING CASH", orDash(s.GetStartingCash()))
	}
	row(tw, "ACCOUNT", account(s))
	if live {
		row(tw, "FEES", liveFees)
	} else {
		row(tw, "FEES", fees(s))
		row(tw, "LATENCY", dur(s.GetLatency(), "-"))
	}
	row(tw, "RISK LIMITS", limits(s.GetRisk()))
}

func summaryRows(tw io.Writer, m *tradingv1.SessionSummary) {
	if m == nil {
		return
	}
	cur := m.GetQuoteCurrency()
	row(tw, "TICKS", m.GetTicks())
	row(tw, "ORDERS", m.GetOrders())
	row(tw, "FILLS", m.GetFills())
	row(tw, "EQUITY", fmt.Sprintf("%s %s (started at %s)", orDash(m.GetEquity()), cur, orDash(m.GetStartingEquity())))
	row(tw, "CASH", orDash(m.GetCash())+" "+cur)
	row(tw, "REALIZED PNL (BEFORE FEES)", signed(m.GetRealizedPnl())+" "+cur)
	row(tw, "UNREALIZED PNL (BEFORE FEES)", signed(m.GetUnrealizedPnl())+" "+cur)
	row(tw, "FEES", orDash(m.GetFeesPaid())+" "+cur)
	row(tw, "RESTARTS", fmt.Sprintf("trading loop %d, health monitor %d", m.GetCoordinatorRestarts(), m.GetMonitorRestarts()))
	if kids := m.GetUnstoppedChildren(); len(kids) > 0 {
		row(tw, "UNSTOPPED", "STILL RUNNING IN TRADINGD: "+strings.Join(kids, ", "))
	}
	riskRows(tw, m.GetRisk())
	if n := m.GetOpenOrders(); n > 0 {
		row(tw, "OPEN ORDERS", fmt.Sprintf("%d STILL OPEN AT THE VENUE", n))
	} else {
		row(tw, "OPEN ORDERS", "none")
	}
	positionRows(tw, m.GetPositions())
}

func healthRows(tw io.Writer, h *tradingv1.HealthReport) {
	if h == nil {
		return
	}
	status := enum(h.GetStatus(), "HEALTH_STATUS_")
	if h.GetReason() != "" {
		status += ": " + h.GetReason()
	}
	row(tw, "HEALTH", status)
	row(tw, "REPORTED", timestamp(h.GetTime()))
	row(tw, "UPTIME", h.GetUptime().AsDuration().Round(time.Second))
	row(tw, "TICKS/ORDERS/FILLS", fmt.Sprintf("%d/%d/%d", h.GetTicks(), h.GetOrders(), h.GetFills()))
	row(tw, "EQUITY", orDash(h.GetEquity()))
	// The daemon's figures from every tick, as GetEquityCurve's
	// max_drawdown: printed, never worked out here.
	if h.GetMaxDrawdown() != "" {
		row(tw, "MAX DRAWDOWN", fmt.Sprintf("%s (from a peak of %s)", h.GetMaxDrawdown(), orDash(h.GetPeakEquity())))
	}
	row(tw, "PNL (AFTER FEES)", signed(h.GetPnl()))
	row(tw, "RESTARTS", h.GetRestarts())
	if h.GetLastError() != "" {
		row(tw, "LAST ERROR", h.GetLastError())
	}
	if len(h.GetComponents()) == 0 {
		return
	}
	fmt.Fprintln(tw, "\nCOMPONENT\tSTATUS\tLAST PROGRESS\tREASON")
	for _, c := range h.GetComponents() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.GetName(), enum(c.GetStatus(), "HEALTH_STATUS_"), timestamp(c.GetLastProgress()), orDash(c.GetReason()))
	}
}
