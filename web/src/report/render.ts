// Draws a backtest report into a page: the summary table, equity and
// drawdown, and each symbol's price with its trades marked. The report
// file (main.ts) and the dashboard's Backtest view both draw with it, so a
// backtest looks the same wherever it ran.
import { IChartApi } from "lightweight-charts";
import { drawEquity, drawPrice } from "./charts";
import { ReportData } from "./data";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function summaryTable(data: ReportData, id: string): HTMLTableElement {
  const table = el("table");
  table.id = id;
  for (const row of data.summary) {
    const tr = el("tr");
    tr.append(el("th", row.label), el("td", row.value));
    table.append(tr);
  }
  return table;
}

export interface Drawn {
  // Trade markers drawn over every symbol.
  markers: number;
  // The charts, for remove() when the report is replaced.
  charts: IChartApi[];
}

type Heading = "h1" | "h2" | "h3" | "h4" | "h5";
const headings: Heading[] = ["h1", "h2", "h3", "h4", "h5"];

// renderReport appends the report to root. Ids are prefixed with idPrefix
// ("" in the report file: #summary, #equity-chart), so that a page holding
// other charts keeps its ids unique; its title is a heading of level top
// (1 in the report file; deeper inside a page's section).
export function renderReport(root: HTMLElement, data: ReportData, idPrefix = "", top: 1 | 2 | 3 = 1): Drawn {
  const [h1, h2, h3] = headings.slice(top - 1) as [Heading, Heading, Heading];
  const charts: IChartApi[] = [];
  root.append(el(h1, data.title));
  const sum = el("section", undefined, "summary");
  sum.append(el(h2, "Summary"), summaryTable(data, `${idPrefix}summary`));
  root.append(sum);

  const eq = el("section");
  eq.append(
    el(h2, "Equity and drawdown"),
    el("p", "In the quote currency; the drawdown (how far equity is below its peak so far) is drawn below zero.", "note"),
    el("p", data.downsampled, "note"),
  );
  const eqChart = el("div", undefined, "chart tall");
  eqChart.id = `${idPrefix}equity-chart`;
  eq.append(eqChart);
  root.append(eq);
  charts.push(drawEquity(eqChart, data.equity));

  const px = el("section");
  let note = `${data.trades_total} trades, marked on each symbol's mid price (buys below, sells above).`;
  if (data.trades.length < data.trades_total) {
    note = `The first ${data.trades.length} of ${data.trades_total} trades are marked on each symbol's mid price (buys below, sells above).`;
  }
  px.append(el(h2, "Trades"), el("p", note, "note"));
  root.append(px);
  let marked = 0;
  for (const s of data.prices) {
    const box = el("div", undefined, "chart");
    box.dataset.symbol = s.symbol;
    px.append(el(h3, s.symbol), box);
    const d = drawPrice(box, s, data.trades.filter((t) => t.symbol === s.symbol));
    box.dataset.markers = String(d.markers);
    marked += d.markers;
    charts.push(d.chart);
  }
  return { markers: marked, charts };
}
