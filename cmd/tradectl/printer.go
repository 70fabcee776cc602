package main

import (
	"fmt"
	"io"

	"github.com/tradectl/tradectl/internal/backtest"
	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
)

// printer renders command results in one output format (-o). Adding a
// format means one new implementation; commands do not change.
type printer interface {
	StartTrading(*tradingv1.StartTradingResponse) error
	StopTrading(*tradingv1.StopTradingResponse) error
	Status(*tradingv1.GetStatusResponse) error
	// HealthReport prints one report of a stream, on one line.
	HealthReport(*tradingv1.HealthReport) error
	Strategies(*tradingv1.ListStrategiesResponse) error
	// Orders prints the orders, and each one's fills under it when fills is
	// set (a table detail: json always carries the fills).
	Orders(r *tradingv1.ListOrdersResponse, fills bool) error
	Portfolio(*tradingv1.GetPortfolioResponse) error
	// OrderEvent prints one event of a stream, on one line.
	OrderEvent(*tradingv1.OrderEvent) error
	ResetKillSwitch(*tradingv1.ResetKillSwitchResponse) error
	Sessions(*tradingv1.ListSessionsResponse) error
	Fills(*tradingv1.ListFillsResponse) error
	Equity(*tradingv1.GetEquityCurveResponse) error
	Backup(*tradingv1.BackupResponse) error
	Backtest(*backtest.Result) error
}

func newPrinter(format string, w io.Writer) (printer, error) {
	switch format {
	case "table":
		return &tablePrinter{w: w}, nil
	case "json":
		return &jsonPrinter{w: w}, nil
	}
	return nil, fmt.Errorf("unknown output format %q: want table or json", format)
}
