// The backtest report: one self-contained page drawn from the JSON block
// tradectl wrote into it. It fetches nothing.
import "./report.css";
import { drawEquity, drawPrice } from "./charts";
import { readData, ReportData } from "./data";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function summaryTable(data: ReportData): HTMLTableElement {
  const table = el("table");
  table.id = "summary";
  for (const row of data.summary) {
    const tr = el("tr");
    tr.append(el("th", row.label), el("td", row.value));
    table.append(tr);
  }
  return table;
}

function render(): void {
  const data = readData(document);
  const root = document.getElementById("report")!;
  root.append(el("h1", data.title));
  root.append(el("section", undefined, "summary"));
  root.lastElementChild!.append(el("h2", "Summary"), summaryTable(data));

  const eq = el("section");
  eq.append(el("h2", "Equity and drawdown"), el("p", data.downsampled, "note"));
  const eqChart = el("div", undefined, "chart tall");
  eqChart.id = "equity-chart";
  eq.append(eqChart);
  root.append(eq);
  drawEquity(eqChart, data);

  const px = el("section");
  let note = `${data.trades_total} trades, marked on each symbol's mid price (buys below, sells above).`;
  if (data.trades.length < data.trades_total) {
    note = `The first ${data.trades.length} of ${data.trades_total} trades are marked on each symbol's mid price (buys below, sells above).`;
  }
  px.append(el("h2", "Trades"), el("p", note, "note"));
  root.append(px);
  let marked = 0;
  for (const s of data.prices) {
    const box = el("div", undefined, "chart");
    box.dataset.symbol = s.symbol;
    px.append(el("h3", s.symbol), box);
    const n = drawPrice(box, s, data.trades.filter((t) => t.symbol === s.symbol));
    box.dataset.markers = String(n);
    marked += n;
  }
  document.documentElement.dataset.markers = String(marked);
  document.documentElement.dataset.rendered = "true";
}

render();
