package main

import (
	"io"

	tradingv1 "github.com/tradectl/tradectl/proto/trading/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// jsonPrinter writes the daemon's responses as protojson. Field names are the
// proto's, as documented in trading.proto, and unset fields are emitted so
// scripts see a stable shape.
type jsonPrinter struct{ w io.Writer }

var (
	jsonDocument = protojson.MarshalOptions{Multiline: true, Indent: "  ", UseProtoNames: true, EmitUnpopulated: true}
	jsonLine     = protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true}
)

func (p *jsonPrinter) StartTrading(r *tradingv1.StartTradingResponse) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) StopTrading(r *tradingv1.StopTradingResponse) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) Status(r *tradingv1.GetStatusResponse) error { return p.write(jsonDocument, r) }

// HealthReport writes one object per line, so a stream can be read line by
// line (jq, bufio.Scanner).
func (p *jsonPrinter) HealthReport(r *tradingv1.HealthReport) error { return p.write(jsonLine, r) }

func (p *jsonPrinter) Strategies(r *tradingv1.ListStrategiesResponse) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) Orders(r *tradingv1.ListOrdersResponse, _ bool) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) Portfolio(r *tradingv1.GetPortfolioResponse) error {
	return p.write(jsonDocument, r)
}

// OrderEvent writes one object per line, like HealthReport.
func (p *jsonPrinter) OrderEvent(e *tradingv1.OrderEvent) error { return p.write(jsonLine, e) }

func (p *jsonPrinter) ResetKillSwitch(r *tradingv1.ResetKillSwitchResponse) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) Sessions(r *tradingv1.ListSessionsResponse) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) Fills(r *tradingv1.ListFillsResponse) error { return p.write(jsonDocument, r) }

func (p *jsonPrinter) Equity(r *tradingv1.GetEquityCurveResponse) error {
	return p.write(jsonDocument, r)
}

func (p *jsonPrinter) Backup(r *tradingv1.BackupResponse) error { return p.write(jsonDocument, r) }

func (p *jsonPrinter) write(opts protojson.MarshalOptions, m proto.Message) error {
	b, err := opts.Marshal(withoutPaperFields(m))
	if err != nil {
		return err
	}
	_, err = p.w.Write(append(b, '\n'))
	return err
}
