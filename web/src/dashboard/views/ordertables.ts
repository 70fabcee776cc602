// The Orders view's tables: one row per order and per fill, newest first,
// bounded, filtered by symbol and state, and counted in #orders-summary.
// What fills them (the seed and the stream) is orders.ts's.
import { Timestamp } from "@bufbuild/protobuf/wkt";
import { Fill, Liquidity, Order, OrderSide, OrderState, OrderType } from "../../gen/trading/v1/trading_pb";
import { byId, el, setText } from "../dom";

// Bounds on the rows kept, so that a page open all day stays small: the
// newest orders and fills, the older ones dropped (the summary says so).
export const maxOrders = 500;
export const maxFills = 1000;

let session = ""; // the session the tables show
let trimmed = false;
const orderRows = new Map<string, HTMLTableRowElement>(); // oldest first
const fillRows = new Map<string, HTMLTableRowElement>(); // oldest first
const symbols = new Set<string>();

const states = [
  OrderState.NEW,
  OrderState.ACCEPTED,
  OrderState.PARTIALLY_FILLED,
  OrderState.FILLED,
  OrderState.CANCELLED,
  OrderState.REJECTED,
];

function name(e: Record<number, string>, v: number): string {
  return e[v] ?? String(v);
}

export function shownSession(): string {
  return session;
}

export function mountTables(root: HTMLElement): void {
  root.append(
    el("p", `Orders and fills of the current or last session, live. This page keeps the newest ${maxOrders} orders and ${maxFills} fills.`, {
      class: "note",
    }),
  );
  const filters = el("div", undefined, { class: "filters" });
  const sym = el("select", undefined, { id: "orders-filter-symbol" });
  sym.append(el("option", "All symbols", { value: "" }));
  const st = el("select", undefined, { id: "orders-filter-state" });
  st.append(el("option", "All states", { value: "" }));
  for (const s of states) st.append(el("option", name(OrderState, s), { value: name(OrderState, s) }));
  filters.append(
    el("label", "Symbol", { for: sym.id }),
    sym,
    el("label", "Order state", { for: st.id }),
    st,
  );
  sym.addEventListener("change", filter);
  st.addEventListener("change", filter);
  // Until the first read, no count: "0 orders" would say the session has none.
  root.append(filters, el("p", "Loading…", { id: "orders-summary", role: "status", "aria-live": "polite", "data-state": "loading" }));
  root.append(
    table("orders-table", "Orders (newest first)", [
      "Order", "Created", "Symbol", "Side", "Type", "Quantity", "Filled", "Price", "Avg fill price", "Fees", "State", "Reason",
    ]),
  );
  // The fills follow the section rather than sit in it, so that
  // `#orders tbody tr` is the orders' rows and nothing else; the view shows
  // and hides them with its section.
  const fills = el("div", undefined, { id: "orders-fills", role: "region", "aria-label": "Fills", hidden: "" });
  fills.append(
    table("fills", "Fills (newest first; the state filter does not apply)", [
      "Time", "Order", "Symbol", "Side", "Quantity", "Price", "Fee", "Liquidity", "Slippage per unit (positive: worse)",
    ]),
  );
  root.after(fills);
}

function table(id: string, caption: string, heads: string[]): HTMLElement {
  const t = el("table", undefined, { id });
  t.append(el("caption", caption));
  const tr = el("tr");
  for (const h of heads) tr.append(el("th", h, { scope: "col" }));
  t.append(el("thead"), el("tbody"));
  t.tHead!.append(tr);
  // Focusable, so that a keyboard can scroll a table wider than the window.
  const box = el("div", undefined, { class: "scroll", role: "region", "aria-label": caption, tabindex: "0" });
  box.append(t);
  return box;
}

export function reset(id: string): void {
  session = id;
  orderRows.clear();
  fillRows.clear();
  symbols.clear();
  trimmed = false;
  tbody("orders-table").replaceChildren();
  tbody("fills").replaceChildren();
  const sym = byId<HTMLSelectElement>("orders-filter-symbol");
  const keep = sym.value;
  while (sym.options.length > 1) sym.remove(1);
  // The operator's filter outlives the session it was chosen in.
  if (keep !== "") {
    addSymbol(keep);
    sym.value = keep;
  }
}

function tbody(id: string): HTMLTableSectionElement {
  return byId<HTMLTableElement>(id).tBodies[0]!;
}

function addSymbol(s: string): void {
  if (s === "" || symbols.has(s)) return;
  symbols.add(s);
  const sym = byId<HTMLSelectElement>("orders-filter-symbol");
  const opts = Array.from(sym.options).slice(1);
  const before = opts.find((o) => o.value > s);
  sym.insertBefore(el("option", s, { value: s }), before ?? null);
}

function time(t: Timestamp | undefined): HTMLTableCellElement {
  const td = el("td");
  if (t) {
    // To the millisecond, truncated (timestampDate rounds up).
    const iso = new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)).toISOString();
    td.append(el("time", iso.slice(11, 23), { datetime: iso, title: iso }));
  } else {
    td.textContent = "—";
  }
  return td;
}

export function upsertOrder(o: Order): void {
  let tr = orderRows.get(o.clientOrderId);
  if (!tr) {
    tr = el("tr");
    tr.dataset.orderId = o.clientOrderId;
    tr.dataset.symbol = o.symbol;
    tr.append(el("th", o.clientOrderId, { scope: "row" }), time(o.createTime));
    for (let i = 0; i < 10; i++) tr.append(el("td"));
    tbody("orders-table").prepend(tr);
    orderRows.set(o.clientOrderId, tr);
    addSymbol(o.symbol);
    bound(orderRows, maxOrders);
  }
  const state = name(OrderState, o.state);
  tr.dataset.state = state;
  const c = tr.cells;
  setText(c[2]!, o.symbol);
  setText(c[3]!, name(OrderSide, o.side));
  setText(c[4]!, name(OrderType, o.type) + (o.postOnly ? " post-only" : ""));
  setText(c[5]!, o.quantity);
  setText(c[6]!, o.filledQuantity || "0");
  setText(c[7]!, o.price || "market");
  setText(c[8]!, o.averagePrice || "—");
  setText(c[9]!, o.fees || "0");
  setText(c[10]!, state);
  c[10]!.dataset.state = state;
  setText(c[11]!, o.reason || "");
  visible(tr);
}

// fillKey names a fill across the seed and the stream: its number among
// its order's fills (StoredFill.sequence, the place in Order.fills,
// OrderEvent.fill_sequence). Time, quantity and price do not tell an
// order's fills apart: a paper order resting at its limit and crossed by a
// book fills once per level at its own limit, all at the event's time, and
// two levels of equal size give two equal fills; a live venue's trades of
// one order in one millisecond at one price and size are common. A daemon
// older than fill_sequence sends 0: then a live fill's venue trade id, or
// time, quantity and price, as well as they can.
function fillKey(id: string, seq: number, f: Fill): string {
  if (seq > 0) return `${id}#${seq}`;
  if (f.venueTradeId > 0n) return `${id}|trade ${f.venueTradeId}`;
  return `${id}|${f.time?.seconds ?? 0n}.${f.time?.nanos ?? 0}|${canon(f.quantity)}|${canon(f.price)}`;
}

// canon drops a decimal's trailing zeros ("0.010" is "0.01").
function canon(d: string): string {
  return d.includes(".") ? d.replace(/0+$/, "").replace(/\.$/, "") : d;
}

export function addFill(id: string, seq: number, symbol: string, side: OrderSide, f: Fill): void {
  const key = fillKey(id, seq, f);
  if (fillRows.has(key)) return;
  const tr = el("tr");
  tr.dataset.orderId = id;
  tr.dataset.symbol = symbol;
  tr.append(time(f.time), el("td", id), el("td", symbol), el("td", name(OrderSide, side)), el("td", f.quantity),
    el("td", f.price), el("td", f.fee), el("td", name(Liquidity, f.liquidity)), el("td", f.slippage || "—"));
  tbody("fills").prepend(tr);
  fillRows.set(key, tr);
  addSymbol(symbol);
  bound(fillRows, maxFills);
  visible(tr);
}

// bound drops the oldest rows over max.
function bound(rows: Map<string, HTMLTableRowElement>, max: number): void {
  for (const [k, tr] of rows) {
    if (rows.size <= max) break;
    tr.remove();
    rows.delete(k);
    trimmed = true;
  }
}

function visible(tr: HTMLTableRowElement): void {
  const sym = byId<HTMLSelectElement>("orders-filter-symbol").value;
  const st = byId<HTMLSelectElement>("orders-filter-state").value;
  const isOrder = tr.dataset.state !== undefined;
  tr.hidden = (sym !== "" && tr.dataset.symbol !== sym) || (isOrder && st !== "" && tr.dataset.state !== st);
}

function filter(): void {
  for (const tr of orderRows.values()) visible(tr);
  for (const tr of fillRows.values()) visible(tr);
  summary(true);
}

// summary counts the rows shown, at most once a second: it is a live
// region, and a busy session changes it many times a second.
let summaryTimer: ReturnType<typeof setTimeout> | undefined;
let counted = false; // a first read filled the tables: the summary counts them

// loaded: the tables hold what the daemon listed; the summary counts them.
export function loaded(): void {
  counted = true;
  summary(true);
}

// failed says the read failed; what the tables hold, if anything, stays.
export function failed(text: string): void {
  const p = byId("orders-summary");
  if (!counted) p.dataset.state = "failed";
  setText(p, text);
}

export function summary(now = false): void {
  if (!counted) return;
  if (now) {
    clearTimeout(summaryTimer);
    summaryTimer = undefined;
  } else if (summaryTimer !== undefined) {
    return;
  }
  const write = (): void => {
    summaryTimer = undefined;
    let o = 0;
    let f = 0;
    for (const tr of orderRows.values()) if (!tr.hidden) o++;
    for (const tr of fillRows.values()) if (!tr.hidden) f++;
    const filtered = o !== orderRows.size || f !== fillRows.size;
    let text = `${o} orders, ${f} fills`;
    if (filtered) text += ` shown (of ${orderRows.size} orders, ${fillRows.size} fills)`;
    if (trimmed) text += `; older ones dropped (this page keeps the newest ${maxOrders} orders and ${maxFills} fills)`;
    if (session) text += ` — session ${session}`;
    const p = byId("orders-summary");
    p.dataset.orders = String(o);
    p.dataset.fills = String(f);
    p.dataset.state = "ready";
    setText(p, text);
  };
  if (now) write();
  else summaryTimer = setTimeout(write, 1000);
}
