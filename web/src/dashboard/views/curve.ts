// A session's equity and drawdown as the Account view draws them live: a
// seed from GetEquityCurve, then one point per report (WatchHealth,
// GetPortfolio). Drawdown is the peak minus equity, in the quote currency.
// The peak is the daemon's, taken from every tick: the seed's last point
// gives it (its equity plus its drawdown), and each health report names it
// (peak_equity) with the session's largest drawdown (max_drawdown), so the
// page shows the figures History and `tradectl equity` show. A daemon older
// than those fields leaves them empty: the peak and the largest drawdown
// are then the ones of the points this page saw.
import { LineData, Time } from "lightweight-charts";
import { EquityPoint } from "../../gen/trading/v1/trading_pb";
import { LiveLine, liveLine } from "../../report/charts";
import { el } from "../dom";
import { add, cmp, sub } from "./decimal";
import { clock, ms } from "./format";

interface Point {
  t: number; // unix seconds: one point per second, the latest wins
  equity: string;
  drawdown: string;
}

// At most this many points are kept; older ones fall off the left.
const maxPoints = 5000;
const fitUpTo = 300;
// The newest points, as a table a screen reader can read (the canvas
// cannot be).
const tabled = 5;

export class LiveCurve {
  session = "";
  quote = "";
  private points: Point[] = [];
  private peak = "";
  private max = ""; // the largest drawdown, "" while there is no point
  private readonly equity: LiveLine;
  private readonly drawdown: LiveLine;
  private readonly recent: HTMLTableSectionElement;

  constructor(
    private readonly equityBox: HTMLElement,
    private readonly drawdownBox: HTMLElement,
  ) {
    this.equity = liveLine(equityBox, "equity");
    this.drawdown = liveLine(drawdownBox, "drawdown");
    const table = el("table", undefined, { class: "visually-hidden", id: "equity-recent" });
    table.append(el("caption", `The newest ${tabled} points of the equity curve`), el("thead"), el("tbody"));
    const head = el("tr");
    for (const h of ["Time (UTC)", "Equity", "Drawdown"]) head.append(el("th", h, { scope: "col" }));
    table.tHead!.append(head);
    drawdownBox.after(table);
    this.recent = table.tBodies[0]!;
    this.label();
  }

  // reset empties the curve for another session.
  reset(session: string): void {
    this.session = session;
    this.points = [];
    this.peak = "";
    this.max = "";
    this.redraw();
  }

  // maxDrawdown is the session's largest drawdown as far as known, "" before
  // the first point.
  get maxDrawdown(): string {
    return this.max;
  }

  // drawdownNow is the newest point's drawdown, "" before the first point.
  get drawdownNow(): string {
    return this.points[this.points.length - 1]?.drawdown ?? "";
  }

  // seed puts the recorded curve first and replays the live points that
  // came after its last one (they arrived while the call was in flight).
  seed(session: string, quote: string, recorded: EquityPoint[], maxDrawdown = ""): void {
    const live = session === this.session ? this.points : [];
    const liveMax = session === this.session ? this.max : "";
    this.session = session;
    if (quote) this.quote = quote;
    this.points = [];
    this.peak = "";
    this.max = "";
    for (const p of recorded) {
      const t = Math.floor(ms(p.time) / 1000);
      if (Number.isNaN(t) || !p.equity) continue;
      const last = this.points[this.points.length - 1];
      if (last && t < last.t) continue;
      const pt = { t, equity: p.equity, drawdown: p.drawdown || "0" };
      if (last && last.t === t) this.points[this.points.length - 1] = pt;
      else this.points.push(pt);
      this.raiseMax(pt.drawdown);
    }
    // The recorded curve is thinned; its max_drawdown counts every tick.
    this.raiseMax(maxDrawdown);
    this.raiseMax(liveMax);
    const last = this.points[this.points.length - 1];
    if (last) this.peak = add(last.equity, last.drawdown) || last.equity;
    for (const p of live) {
      if (!last || p.t > last.t) this.push(p.t, p.equity);
    }
    this.trim();
    this.redraw();
  }

  // append adds (time, equity) of the current session; a point older than
  // the newest is dropped (the chart draws time forward only), one in the
  // same second replaces it. peak and maxDrawdown are the daemon's figures
  // at that time (a health report's), "" when it gave none.
  append(unixMs: number, equity: string, peak = "", maxDrawdown = ""): void {
    const t = Math.floor(unixMs / 1000);
    const last = this.points[this.points.length - 1];
    if (Number.isNaN(t) || !equity || (last && t < last.t)) return;
    if (peak !== "" && (this.peak === "" || cmp(peak, this.peak) > 0)) this.peak = peak;
    const p = this.push(t, equity);
    this.raiseMax(maxDrawdown);
    this.trim();
    this.equity.update(equityData(p));
    this.drawdown.update(drawdownData(p));
    // A young curve is stretched to the width (a new point would otherwise
    // sit a bar's width from the last, all of them squeezed at the right);
    // a long one scrolls, keeping the operator's zoom.
    if (this.points.length <= fitUpTo) {
      this.equity.fit();
      this.drawdown.fit();
    }
    this.label();
  }

  private push(t: number, equity: string): Point {
    if (this.peak === "" || cmp(equity, this.peak) > 0) this.peak = equity;
    const p = { t, equity, drawdown: sub(this.peak, equity) || "0" };
    const last = this.points[this.points.length - 1];
    if (last && last.t === t) this.points[this.points.length - 1] = p;
    else this.points.push(p);
    this.raiseMax(p.drawdown);
    return p;
  }

  // raiseMax takes dd as the largest drawdown if it is larger: the
  // daemon's figure counts every tick, and a point the page saw after the
  // daemon's last report may be deeper still.
  private raiseMax(dd: string): void {
    if (dd !== "" && (this.max === "" || cmp(dd, this.max) > 0)) this.max = dd;
  }

  private trim(): void {
    if (this.points.length > maxPoints) this.points.splice(0, this.points.length - maxPoints);
  }

  private redraw(): void {
    this.equity.setData(this.points.map(equityData));
    this.drawdown.setData(this.points.map(drawdownData));
    this.label();
  }

  // label states the newest values in words on each chart (role="img"):
  // the canvas says nothing to a screen reader.
  private label(): void {
    const last = this.points[this.points.length - 1];
    const q = this.quote ? ` ${this.quote}` : "";
    this.recent.replaceChildren(
      ...this.points.slice(-tabled).map((p) => {
        const tr = el("tr");
        tr.append(el("td", clock(p.t * 1000)), el("td", `${p.equity}${q}`), el("td", `${p.drawdown}${q}`));
        return tr;
      }),
    );
    if (!last) {
      this.equityBox.dataset.points = "0";
      delete this.equityBox.dataset.first;
      this.equityBox.setAttribute("aria-label", "Equity: no points yet");
      this.drawdownBox.setAttribute("aria-label", "Drawdown: no points yet");
      delete this.drawdownBox.dataset.max;
      return;
    }
    const at = clock(last.t * 1000);
    this.equityBox.setAttribute("aria-label", `Equity ${last.equity}${q} at ${at}`);
    this.drawdownBox.setAttribute("aria-label", `Drawdown ${last.drawdown}${q} below the peak of ${this.peak}${q} at ${at}; largest ${this.max}${q}`);
    // For tests and tools: how many points, and the first one's time
    // (unix seconds), which tells a curve seeded from the store from one
    // that began when the page opened.
    this.equityBox.dataset.points = String(this.points.length);
    this.equityBox.dataset.first = String(this.points[0]!.t);
    this.equityBox.dataset.latest = last.equity;
    this.drawdownBox.dataset.latest = last.drawdown;
    this.drawdownBox.dataset.max = this.max;
  }
}

function equityData(p: Point): LineData<Time> {
  return { time: p.t as Time, value: Number(p.equity) };
}

// Drawdown is drawn below zero, as in the backtest report.
function drawdownData(p: Point): LineData<Time> {
  return { time: p.t as Time, value: -Number(p.drawdown) };
}
