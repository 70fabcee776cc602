// Account: the session's equity and drawdown, drawn live, and its cash,
// fees, PnL and positions. The curve starts from what the daemon recorded
// (GetEquityCurve) and grows with every health report main.ts hands to
// onHealth and every portfolio read; the figures come from GetPortfolio,
// read every 2 s while this view is visible and never while it is not
// (every loopback tab shares one rate limit).
import { Code, ConnectError } from "@connectrpc/connect";
import { GetStatusResponse, HealthReport, Portfolio, Position } from "../../gen/trading/v1/trading_pb";
import { api, isUnauthenticated } from "../api";
import { byId, el, fact, setText } from "../dom";
import { LiveCurve } from "./curve";
import { ms, when } from "./format";

const pollEveryMs = 2000;

let curve: LiveCurve | undefined;
let visible = false;
let timer: ReturnType<typeof setTimeout> | undefined;
// seeded: the curve holds what the daemon recorded for curve.session (or
// the daemon keeps no curve); until then each poll asks for it.
let seeded = false;
let noCurve = false;

export function mount(root: HTMLElement): void {
  const dl = el("dl", undefined, { class: "facts" });
  fact(dl, "Cash", "account-cash");
  fact(dl, "Equity", "account-equity");
  fact(dl, "Fees paid", "account-fees");
  // What the daemon's portfolio computes (internal/portfolio): realized and
  // unrealized PnL leave the fees out (equity − starting cash = realized +
  // unrealized − fees), so each label says so.
  fact(dl, "Realized PnL (before fees)", "account-realized");
  fact(dl, "Unrealized PnL (at the marks, before fees)", "account-unrealized");
  fact(dl, "Drawdown (below the peak)", "account-drawdown");
  fact(dl, "Max drawdown", "account-max-drawdown");
  fact(dl, "As of", "account-time");
  fact(dl, "Session", "account-session");
  root.append(dl);
  root.append(el("p", "", { id: "account-note", class: "note", "aria-live": "polite" }));

  root.append(el("h3", "Equity", { id: "equity-title" }));
  const eq = el("div", undefined, { id: "equity-chart", class: "chart", role: "img" });
  root.append(eq);
  root.append(el("h3", "Drawdown below the peak equity (drawn below zero)", { id: "drawdown-title" }));
  const dd = el("div", undefined, { id: "drawdown-chart", class: "chart", role: "img" });
  root.append(dd);
  curve = new LiveCurve(eq, dd);

  const table = el("table", undefined, { id: "positions" });
  table.append(el("caption", "Positions"), el("thead"), el("tbody"));
  const head = el("tr");
  for (const h of ["Symbol", "Quantity", "Average price", "Mark", "Unrealized PnL (before fees)"]) head.append(el("th", h, { scope: "col" }));
  table.tHead!.append(head);
  root.append(table);
}

// onHealth takes every WatchHealth report (main.ts's stream; this view
// opens none): a report of another session restarts the curve.
export function onHealth(r: HealthReport): void {
  if (!curve || !r.sessionId || !r.equity) return;
  if (r.sessionId !== curve.session) {
    curve.reset(r.sessionId);
    seeded = noCurve;
    if (visible) poll();
  }
  curve.append(ms(r.time), r.equity, r.peakEquity, r.maxDrawdown);
  showDrawdown();
}

// showDrawdown writes the curve's drawdown figures in the summary and the
// quote currency in the charts' titles.
function showDrawdown(): void {
  if (!curve) return;
  const q = curve.quote ? ` ${curve.quote}` : "";
  const money = (v: string): string => (v ? `${v}${q}` : "—");
  setText(byId("account-drawdown"), money(curve.drawdownNow));
  setText(byId("account-max-drawdown"), money(curve.maxDrawdown));
  const unit = curve.quote ? `, ${curve.quote}` : "";
  setText(byId("equity-title"), `Equity${unit}`);
  setText(byId("drawdown-title"), `Drawdown below the peak equity${unit} (drawn below zero)`);
}

// status takes every GetStatus answer: its health report is a point too.
export function status(st: GetStatusResponse): void {
  if (st.health) onHealth(st.health);
}

export function show(): void {
  if (visible) return;
  visible = true;
  poll();
}

export function hide(): void {
  visible = false;
  clearTimeout(timer);
  timer = undefined;
}

function note(text: string): void {
  setText(byId("account-note"), text);
}

// poll reads the portfolio (and the recorded curve while it is missing),
// then schedules the next read if the view is still visible. One read at
// a time: a slow daemon slows the polling, it does not stack calls.
let inFlight = false;

async function poll(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  if (inFlight || !visible) return;
  inFlight = true;
  try {
    if (!seeded) await seed();
    const res = await api.getPortfolio({});
    showPortfolio(res.portfolio);
    if (noCurve) note("This daemon keeps no equity history: the curve starts when this page opened.");
    else if (seeded) note("");
  } catch (e) {
    if (isUnauthenticated(e)) return; // main.ts's stream sends the page to the login
    note(`Could not read the account: ${ConnectError.from(e).rawMessage}. Retrying.`);
  } finally {
    inFlight = false;
  }
  if (visible) timer = setTimeout(poll, pollEveryMs);
}

// seed reads the recorded curve of the session shown. A daemon that keeps
// none (no store, or older than GetEquityCurve) is not asked again; a
// transient failure is retried at the next poll. Either way the portfolio
// is still read.
async function seed(): Promise<void> {
  if (!curve) return;
  const asked = curve.session;
  try {
    const res = await api.getEquityCurve({ sessionId: asked });
    // A report of a newer session came while the call was out: that
    // session's curve is asked for at the next poll.
    if (curve.session !== asked && !(asked === "" && res.sessionId === curve.session)) return;
    curve.seed(res.sessionId, res.quoteCurrency, res.points, res.maxDrawdown);
    seeded = true;
    showDrawdown();
  } catch (e) {
    const err = ConnectError.from(e);
    if (isUnauthenticated(err)) throw err;
    switch (err.code) {
      case Code.Unimplemented:
      case Code.FailedPrecondition: // NO_STORE
        noCurve = true;
        seeded = true;
        break;
      case Code.NotFound: // the session left no curve: it starts with the next point
        seeded = true;
        break;
      default:
        note(`Could not read the recorded equity: ${err.rawMessage}. Retrying.`);
    }
  }
}

function showPortfolio(p: Portfolio | undefined): void {
  const q = p?.quoteCurrency ? ` ${p.quoteCurrency}` : "";
  const money = (v: string | undefined): string => (v ? `${v}${q}` : "—");
  setText(byId("account-cash"), money(p?.cash));
  setText(byId("account-equity"), money(p?.equity));
  setText(byId("account-fees"), money(p?.feesPaid));
  setText(byId("account-realized"), money(p?.realizedPnl));
  setText(byId("account-unrealized"), money(p?.unrealizedPnl));
  setText(byId("account-time"), when(p?.time));
  setText(byId("account-session"), p?.sessionId || "none yet");
  if (p && curve) {
    if (p.quoteCurrency) curve.quote = p.quoteCurrency;
    if (p.sessionId === curve.session || curve.session === "") {
      if (curve.session === "") curve.reset(p.sessionId);
      curve.append(ms(p.time), p.equity);
    }
    showDrawdown();
  }
  const body = byId<HTMLTableElement>("positions").tBodies[0]!;
  const seen = new Set<string>();
  for (const pos of p?.positions ?? []) {
    seen.add(pos.symbol);
    positionRow(body, pos);
  }
  for (const tr of Array.from(body.rows)) {
    if (!seen.has(tr.dataset.symbol ?? "")) tr.remove();
  }
}

function positionRow(body: HTMLTableSectionElement, p: Position): void {
  let tr = body.querySelector<HTMLTableRowElement>(`tr[data-symbol="${CSS.escape(p.symbol)}"]`);
  if (!tr) {
    tr = el("tr");
    tr.dataset.symbol = p.symbol;
    tr.append(el("th", p.symbol, { scope: "row" }), el("td"), el("td"), el("td"), el("td"));
    body.append(tr);
  }
  const cells = [p.quantity, p.averagePrice, p.markPrice, p.unrealizedPnl];
  cells.forEach((v, i) => setText(tr.cells[i + 1]!, v || "—"));
}
