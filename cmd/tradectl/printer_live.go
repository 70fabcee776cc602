package main

import (
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/proto"
)

// A live session trades on a real venue: the paper venue's settings (the
// random walk's seed, its maker and taker fees, its simulated latency, its
// starting cash) play no part in it, although the daemon echoes them with
// its defaults applied. Shown, they mislead: "FEES maker 2 bps" under MODE
// LIVE reads as the fees being paid. Both printers leave them out; the
// venue's fees are on each fill, and the starting equity (the venue
// account's quote balance) is in the summary.

// isLive reports whether the settings are a live session's.
func isLive(s *tradingv1.SessionSettings) bool { return s.GetMode() == tradingv1.Mode_MODE_LIVE }

// liveFees is the FEES row of a live session.
const liveFees = "the venue's, charged per fill (tradectl orders --fills)"

// withoutPaperFields returns m, or a copy of it in which every live
// session's paper-only settings are cleared, for the json printer.
func withoutPaperFields(m proto.Message) proto.Message {
	var sessions []*tradingv1.Session
	collect := func(ss ...*tradingv1.Session) {
		for _, s := range ss {
			if isLive(s.GetSettings()) {
				sessions = append(sessions, s)
			}
		}
	}
	switch r := m.(type) {
	case *tradingv1.GetStatusResponse:
		collect(r.GetSession())
	case *tradingv1.StartTradingResponse:
		collect(r.GetSession())
	case *tradingv1.StopTradingResponse:
		collect(r.GetSession())
	case *tradingv1.ListSessionsResponse:
		collect(r.GetSessions()...)
	}
	if len(sessions) == 0 {
		return m
	}
	m = proto.Clone(m)
	// The clone holds the same sessions in the same places: clear them there.
	switch r := m.(type) {
	case *tradingv1.GetStatusResponse:
		clearPaperFields(r.GetSession().GetSettings())
	case *tradingv1.StartTradingResponse:
		clearPaperFields(r.GetSession().GetSettings())
	case *tradingv1.StopTradingResponse:
		clearPaperFields(r.GetSession().GetSettings())
	case *tradingv1.ListSessionsResponse:
		for _, s := range r.GetSessions() {
			if isLive(s.GetSettings()) {
				clearPaperFields(s.GetSettings())
			}
		}
	}
	return m
}

func clearPaperFields(s *tradingv1.SessionSettings) {
	if s == nil {
		return
	}
	s.Seed, s.MakerFeeBps, s.TakerFeeBps, s.Latency, s.StartingCash = 0, nil, nil, nil, ""
}
