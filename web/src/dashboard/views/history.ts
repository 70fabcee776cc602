// History: the sessions the store holds (ListSessions, newest first, a
// page at a time) and, for the one opened, its summary, its recorded
// equity curve, and its newest orders and fills. Read when the view is
// shown and when asked, never polled.
import { ConnectError } from "@connectrpc/connect";
import { IChartApi } from "lightweight-charts";
import {
  GetEquityCurveResponse,
  Mode,
  Order,
  OrderSide,
  OrderState,
  OrderType,
  Session,
  SessionState,
  StoredFill,
  TradingState,
  Liquidity,
} from "../../gen/trading/v1/trading_pb";
import { drawEquity } from "../../report/charts";
import { api } from "../api";
import { byId, el, markControls, setText } from "../dom";
import { sub } from "./decimal";
import { clock, enumName, ms, when } from "./format";

const pageSize = 25;
// ListSessions lists at most `limit` sessions over all its pages, 100 when
// the request leaves it 0: the largest limit asks for every session, so
// the pages reach the first session the store holds.
const everySession = 2 ** 31 - 1;
// The detail lists at most this many orders and fills, the newest.
const newest = 200;

let nextPage = "";
let sessions = new Map<string, Session>();
let chart: IChartApi | undefined;
// opening counts the sessions opened, so a slow answer for an earlier one
// never draws over the one on screen.
let opening = 0;

function table(id: string, caption: string, heads: string[]): HTMLTableElement {
  const t = el("table", undefined, { id });
  t.append(el("caption", caption), el("thead"), el("tbody"));
  const tr = el("tr");
  for (const h of heads) tr.append(el("th", h, { scope: "col" }));
  t.tHead!.append(tr);
  return t;
}

export function mount(root: HTMLElement): void {
  root.append(
    table("sessions", "Sessions, newest first", ["Session", "State", "Strategy", "Mode", "Started", "Ended", "Reason", "Final equity", "PnL (after fees)", ""]),
  );
  const more = el("button", "Show older sessions", { id: "history-more", type: "button", hidden: "" });
  more.addEventListener("click", () => void load(false));
  const refresh = el("button", "Refresh", { id: "history-refresh", type: "button" });
  refresh.addEventListener("click", () => void load(true));
  root.append(el("p", undefined, { class: "actions" }));
  root.lastElementChild!.append(refresh, more);
  root.append(el("p", "", { id: "history-note", class: "note", "aria-live": "polite" }));

  const detail = el("section", undefined, { id: "history-detail", "aria-labelledby": "history-detail-title", hidden: "" });
  detail.append(el("h3", "Session", { id: "history-detail-title" }));
  detail.append(el("dl", undefined, { id: "history-summary", class: "facts" }));
  detail.append(el("h3", "Equity and drawdown below the peak (drawn below zero)", { id: "history-equity-title" }));
  detail.append(el("p", "", { id: "history-equity-note", class: "note" }));
  detail.append(el("div", undefined, { id: "history-equity-chart", class: "chart tall", role: "img", hidden: "" }));
  detail.append(table("history-orders", "Orders", ["Order", "Symbol", "Side", "Type", "Quantity", "Price", "State", "Filled", "Average price", "Fees", "Reason", "Created"]));
  detail.append(el("p", "", { id: "history-orders-note", class: "note" }));
  detail.append(table("history-fills", "Fills", ["Time", "Order", "Symbol", "Side", "Quantity", "Price", "Fee", "Liquidity", "Slippage per unit, quote currency (positive: worse)"]));
  detail.append(el("p", "", { id: "history-fills-note", class: "note" }));
  root.append(detail);
}

// show re-reads the first page: sessions may have started or ended since.
export function show(): void {
  void load(true);
}

export function hide(): void {}

// load reads the first page (fresh) or the next one.
async function load(fresh: boolean): Promise<void> {
  const note = byId("history-note");
  try {
    const res = await api.listSessions({ limit: everySession, pageSize, pageToken: fresh ? "" : nextPage });
    const body = byId<HTMLTableElement>("sessions").tBodies[0]!;
    if (fresh) {
      body.replaceChildren();
      sessions = new Map();
    }
    for (const s of res.sessions) {
      if (sessions.has(s.id)) continue;
      sessions.set(s.id, s);
      body.append(sessionRow(s));
    }
    nextPage = res.nextPageToken;
    byId("history-more").hidden = nextPage === "";
    const older = nextPage ? "; older ones on request" : ", all there are";
    setText(note, sessions.size === 0 ? "No session has run yet." : `${sessions.size} ${sessions.size === 1 ? "session" : "sessions"} shown${older}.`);
  } catch (e) {
    setText(note, `Could not list the sessions: ${ConnectError.from(e).rawMessage}`);
  }
  markControls();
}

function sessionRow(s: Session): HTMLTableRowElement {
  const tr = el("tr");
  tr.dataset.sessionId = s.id;
  const st = s.settings;
  const sum = s.summary;
  const q = sum?.quoteCurrency ? ` ${sum.quoteCurrency}` : "";
  const pnl = sum?.equity && sum.startingEquity ? sub(sum.equity, sum.startingEquity) : "";
  tr.append(
    el("th", s.id, { scope: "row" }),
    el("td", enumName(SessionState, s.state)),
    el("td", st?.strategy || "—"),
    el("td", st ? enumName(Mode, st.mode) : "—"),
    el("td", when(s.startTime)),
    el("td", when(s.endTime)),
    el("td", s.reason || "—"),
    el("td", sum?.equity ? `${sum.equity}${q}` : "—"),
    el("td", pnl ? `${pnl}${q}` : "—"),
  );
  const open = el("button", "Open", { type: "button", class: "open-session", "aria-label": `Open session ${s.id}` });
  open.addEventListener("click", () => void openSession(s.id));
  const cell = el("td");
  cell.append(open);
  tr.append(cell);
  return tr;
}

async function openSession(id: string): Promise<void> {
  const s = sessions.get(id);
  if (!s) return;
  const mine = ++opening;
  for (const tr of Array.from(byId<HTMLTableElement>("sessions").tBodies[0]!.rows)) {
    if (tr.dataset.sessionId === id) tr.setAttribute("aria-current", "true");
    else tr.removeAttribute("aria-current");
  }
  const detail = byId("history-detail");
  detail.hidden = false;
  detail.dataset.sessionId = id;
  setText(byId("history-detail-title"), `Session ${id}`);
  summary(s);
  for (const t of ["history-orders", "history-fills"]) byId<HTMLTableElement>(t).tBodies[0]!.replaceChildren();
  for (const n of ["history-equity-note", "history-orders-note", "history-fills-note"]) setText(byId(n), "Reading…");
  chart?.remove();
  chart = undefined;
  byId("history-equity-chart").hidden = true;
  markControls();
  detail.scrollIntoView({ block: "start" });

  const [curve, orders, fills] = await Promise.allSettled([
    api.getEquityCurve({ sessionId: id }),
    api.listOrders({ sessionId: id, limit: newest }),
    api.listFills({ sessionId: id, limit: newest }),
  ]);
  if (mine !== opening) return;
  if (curve.status === "fulfilled") showCurve(curve.value);
  else setText(byId("history-equity-note"), `No equity curve: ${ConnectError.from(curve.reason).rawMessage}`);
  if (orders.status === "fulfilled") {
    const body = byId<HTMLTableElement>("history-orders").tBodies[0]!;
    for (const o of orders.value.orders) body.append(orderRow(o));
    setText(byId("history-orders-note"), bounded(orders.value.orders.length, orders.value.omitted, "orders"));
  } else {
    setText(byId("history-orders-note"), `Could not list the orders: ${ConnectError.from(orders.reason).rawMessage}`);
  }
  if (fills.status === "fulfilled") {
    const body = byId<HTMLTableElement>("history-fills").tBodies[0]!;
    for (const f of fills.value.fills) body.append(fillRow(f));
    setText(byId("history-fills-note"), bounded(fills.value.fills.length, fills.value.omitted, "fills"));
  } else {
    setText(byId("history-fills-note"), `Could not list the fills: ${ConnectError.from(fills.reason).rawMessage}`);
  }
}

function bounded(shown: number, omitted: bigint, what: string): string {
  if (omitted === 0n) return `${shown} ${what}, oldest first.`;
  return `The newest ${shown} of ${BigInt(shown) + omitted} ${what}, oldest first (${omitted} older not shown).`;
}

function summary(s: Session): void {
  const dl = byId("history-summary");
  dl.replaceChildren();
  const st = s.settings;
  const sum = s.summary;
  const q = sum?.quoteCurrency ? ` ${sum.quoteCurrency}` : "";
  const money = (v: string | undefined): string => (v ? `${v}${q}` : "—");
  const params = Object.entries(st?.params ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const rows: [string, string][] = [
    ["State", enumName(SessionState, s.state)],
    ["Strategy", st?.strategy || "—"],
    ["Parameters", params || "—"],
    ["Symbols", st?.symbols.join(", ") || "—"],
    ["Mode", st ? enumName(Mode, st.mode) : "—"],
    ["Started", when(s.startTime)],
    ["Ended", when(s.endTime)],
    ["Reason", s.reason || "—"],
    ["Ticks / orders / fills", sum ? `${sum.ticks} / ${sum.orders} / ${sum.fills}` : "—"],
    ["Starting equity", money(sum?.startingEquity)],
    ["Final equity", money(sum?.equity)],
    ["Cash", money(sum?.cash)],
    ["PnL (after fees)", sum?.equity && sum.startingEquity ? money(sub(sum.equity, sum.startingEquity)) : "—"],
    ["Realized PnL (before fees)", money(sum?.realizedPnl)],
    ["Unrealized PnL (at the marks, before fees)", money(sum?.unrealizedPnl)],
    ["Fees paid", money(sum?.feesPaid)],
    ["Positions", sum?.positions.map((p) => `${p.symbol} ${p.quantity} @ ${p.averagePrice}`).join(", ") || "none"],
    ["Open orders left", sum ? String(sum.openOrders) : "—"],
    ["Risk", sum?.risk ? `${enumName(TradingState, sum.risk.state)}${sum.risk.reason ? `: ${sum.risk.reason}` : ""}` : "—"],
  ];
  for (const [k, v] of rows) dl.append(el("dt", k), el("dd", v));
}

function showCurve(c: GetEquityCurveResponse): void {
  const box = byId("history-equity-chart");
  const q = c.quoteCurrency ? ` ${c.quoteCurrency}` : "";
  const last = c.points[c.points.length - 1];
  if (!last) {
    setText(byId("history-equity-note"), "The store recorded no equity for this session.");
    return;
  }
  box.hidden = false;
  chart = drawEquity(box, c.points.map((p) => [ms(p.time), p.equity, p.drawdown || "0"]));
  if (c.quoteCurrency) setText(byId("history-equity-title"), `Equity and drawdown below the peak, ${c.quoteCurrency} (drawdown drawn below zero)`);
  box.setAttribute("aria-label", `Equity ${last.equity}${q} at ${clock(ms(last.time))}; largest drawdown ${c.maxDrawdown || "0"}${q}`);
  const thinned = c.recorded > BigInt(c.points.length) ? ` (thinned evenly from ${c.recorded} recorded)` : "";
  setText(byId("history-equity-note"), `${c.points.length} points${thinned}; largest drawdown ${c.maxDrawdown || "0"}${q}. Gaps are time the daemon was down.`);
}

function orderRow(o: Order): HTMLTableRowElement {
  const state = enumName(OrderState, o.state);
  const tr = el("tr");
  tr.dataset.orderId = o.clientOrderId;
  tr.dataset.state = state;
  const cells = [
    o.symbol,
    enumName(OrderSide, o.side),
    enumName(OrderType, o.type),
    o.quantity,
    o.price || "market",
    state,
    o.filledQuantity || "0",
    o.averagePrice || "—",
    o.fees || "0",
    o.reason || "—",
    when(o.createTime),
  ];
  tr.append(el("th", o.clientOrderId, { scope: "row" }));
  for (const c of cells) tr.append(el("td", c));
  return tr;
}

function fillRow(f: StoredFill): HTMLTableRowElement {
  const tr = el("tr");
  tr.dataset.orderId = f.clientOrderId;
  const x = f.fill;
  const cells = [
    f.clientOrderId,
    f.symbol,
    enumName(OrderSide, f.side),
    x?.quantity || "—",
    x?.price || "—",
    x?.fee || "—",
    x ? enumName(Liquidity, x.liquidity) : "—",
    x?.slippage || "—",
  ];
  tr.append(el("td", when(x?.time)));
  for (const c of cells) tr.append(el("td", c));
  return tr;
}
