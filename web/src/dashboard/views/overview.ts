// The Overview: the session's state, mode, strategy and settings (from
// GetStatus) and its health per component (from WatchHealth, live), with a
// banner while the kill switch holds orders back.
import { Duration, Timestamp, durationMs } from "@bufbuild/protobuf/wkt";
import {
  Account,
  ComponentHealth,
  HealthReport,
  HealthStatus,
  Mode,
  RiskLimits,
  Session,
  SessionState,
  TradingState,
} from "../../gen/trading/v1/trading_pb";
import { byId, el, fact, setText } from "../dom";

// Enum names without their prefix, as the API documents them: RUNNING,
// HEALTHY, PAPER. A value this page does not know yet shows as its number.
function name(e: Record<number, string>, v: number): string {
  return e[v] ?? String(v);
}

// when shows t to the millisecond, truncated as tradectl prints it:
// bufbuild's timestampDate rounds the nanoseconds up, so a report at
// .270775 showed as .271 where tradectl status said .270.
function when(t: Timestamp | undefined): string {
  return t ? new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)).toISOString().replace(".000Z", "Z") : "—";
}

function seconds(d: Duration | undefined): string {
  return d ? `${durationMs(d) / 1000} s` : "—";
}

// mount builds the Overview's empty structure once; show fills it.
export function mount(root: HTMLElement): void {
  const session = el("section", undefined, { "aria-labelledby": "session-title" });
  session.append(el("h3", "Session", { id: "session-title" }));
  const sdl = el("dl", undefined, { class: "facts" });
  fact(sdl, "State", "session-state");
  fact(sdl, "Mode", "session-mode");
  fact(sdl, "Strategy", "session-strategy");
  fact(sdl, "Symbols", "session-symbols");
  fact(sdl, "Tick interval", "session-tick");
  fact(sdl, "Parameters", "session-params");
  fact(sdl, "Account", "session-account");
  fact(sdl, "Starting cash", "session-cash");
  fact(sdl, "Duration", "session-duration");
  fact(sdl, "Risk limits", "session-limits");
  fact(sdl, "Risk state", "risk-state");
  fact(sdl, "Session", "session-id");
  fact(sdl, "Started", "session-start");
  fact(sdl, "Reason", "session-reason");
  session.append(sdl);

  const health = el("section", undefined, { "aria-labelledby": "health-title" });
  health.append(el("h3", "Health", { id: "health-title" }));
  const hdl = el("dl", undefined, { class: "facts" });
  fact(hdl, "Status", "health-status");
  fact(hdl, "Reason", "health-reason");
  fact(hdl, "Reported", "health-time");
  fact(hdl, "Restarts", "health-restarts");
  fact(hdl, "Ticks / orders / fills", "health-counts");
  fact(hdl, "Equity", "health-equity");
  // Equity − starting equity: realized + unrealized − fees (the daemon's
  // health report; internal/portfolio).
  fact(hdl, "PnL (after fees)", "health-pnl");
  fact(hdl, "Last error", "health-error");
  health.append(hdl);

  const table = el("table", undefined, { id: "components" });
  table.append(el("caption", "Components"));
  const head = el("tr");
  for (const h of ["Component", "Status", "Reason", "Last progress"]) head.append(el("th", h, { scope: "col" }));
  table.append(el("thead"), el("tbody"));
  table.tHead!.append(head);
  health.append(table);
  const asOf = el("p", undefined, { id: "overview-asof", class: "note", role: "status", hidden: "" });
  root.append(asOf, session, health);
  boxes = [session, health];
}

let boxes: HTMLElement[] = [];
let lastData = 0; // Date.now() of the last report or status shown; 0: none

// stale marks the Overview's values as the last known (data-stale="true",
// and when they are from) while the health stream is down, and live again
// when it is back.
export function stale(on: boolean): void {
  for (const b of boxes) {
    if (on) b.dataset.stale = "true";
    else delete b.dataset.stale;
  }
  const p = byId("overview-asof");
  p.hidden = !on;
  const at = lastData > 0 ? `as of ${new Date(lastData).toISOString().slice(11, 19)} UTC, when the last report came` : "no report has come yet";
  setText(p, on ? `Not live: the connection to the daemon is lost; these values are ${at}.` : "");
}

// shown is the session id and state that GetStatus last showed: a health
// report that disagrees means GetStatus has news (a new session, a stop).
let shown = { id: "", state: SessionState.UNSPECIFIED };

export function isNews(r: HealthReport): boolean {
  return r.sessionId !== shown.id || (r.sessionId !== "" && r.sessionState !== shown.state);
}

// showSession renders GetStatus's session (undefined: none has run).
export function showSession(s: Session | undefined): void {
  lastData = Date.now();
  shown = { id: s?.id ?? "", state: s?.state ?? SessionState.UNSPECIFIED };
  const st = s?.settings;
  setText(byId("session-state"), s ? name(SessionState, s.state) : "NONE");
  setText(byId("session-mode"), st ? name(Mode, st.mode) : "—");
  setText(byId("session-strategy"), st?.strategy || "—");
  setText(byId("session-symbols"), st?.symbols.join(", ") || "—");
  setText(byId("session-tick"), seconds(st?.tickInterval));
  const params = Object.entries(st?.params ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  setText(byId("session-params"), params.join(", ") || "—");
  setText(byId("session-account"), st ? name(Account, st.account) : "—");
  setText(byId("session-cash"), st?.startingCash || "—");
  setText(byId("session-duration"), !st ? "—" : st.duration ? seconds(st.duration) : "until stopped");
  setText(byId("session-limits"), limits(st?.risk));
  setText(byId("session-id"), s?.id || "—");
  setText(byId("session-start"), when(s?.startTime));
  setText(byId("session-reason"), s?.reason || "—");

  const risk = s?.summary?.risk;
  const rs = risk ? name(TradingState, risk.state) : "—";
  setText(byId("risk-state"), risk && risk.rejectedOrders > 0n ? `${rs} (${risk.rejectedOrders} orders refused)` : rs);
  const banner = byId("killswitch-banner");
  if (risk && risk.state === TradingState.HALTED) {
    // A session that has ended cannot be reset (the daemon refuses: none is
    // running); the banner must not ask for what the page cannot do.
    const then =
      s?.state === SessionState.RUNNING
        ? "No order is sent until it is reset."
        : `Session ${s?.id ?? ""} is ${s ? name(SessionState, s.state) : "over"}: a reset needs it running (resumed), and a new session starts with the kill switch armed.`;
    setText(banner, `Kill switch tripped since ${when(risk.since)}: ${risk.reason || "no reason given"}. ${then}`);
    banner.hidden = false;
  } else {
    banner.hidden = true;
    setText(banner, "");
  }
}

// limits lists the risk limits in force by their API names. The API turns
// a decimal limit off with "0" and a count off with a negative number:
// shown as "off", not as a limit of zero.
function limits(r: RiskLimits | undefined): string {
  if (!r) return "—";
  const out: string[] = [];
  const add = (k: string, v: string | number): void => {
    if (v === "" || v === 0) return;
    const off = typeof v === "string" ? Number(v) === 0 : v < 0;
    out.push(`${k}=${off ? "off" : v}`);
  };
  add("max_order_notional", r.maxOrderNotional);
  add("max_position", r.maxPosition);
  add("max_open_orders", r.maxOpenOrders);
  add("max_orders_per_second", r.maxOrdersPerSecond);
  add("max_drawdown", r.maxDrawdown);
  add("max_trailing_drawdown", r.maxTrailingDrawdown);
  return out.join(", ") || "none";
}

// showHealth renders one HealthReport: the overall status and a row per
// component ([data-component=NAME]), rows of vanished components removed.
export function showHealth(r: HealthReport): void {
  lastData = Date.now();
  setText(byId("health-status"), name(HealthStatus, r.status));
  byId("health-status").dataset.status = name(HealthStatus, r.status);
  setText(byId("health-reason"), r.reason || "—");
  setText(byId("health-time"), when(r.time));
  setText(byId("health-restarts"), String(r.restarts));
  setText(byId("health-counts"), `${r.ticks} / ${r.orders} / ${r.fills}`);
  setText(byId("health-equity"), r.equity || "—");
  setText(byId("health-pnl"), r.pnl || "—");
  setText(byId("health-error"), r.lastError || "—");
  // A report without a session does not change what GetStatus said.
  if (r.sessionId) setText(byId("session-state"), name(SessionState, r.sessionState));

  const body = (byId<HTMLTableElement>("components").tBodies[0])!;
  const seen = new Set<string>();
  for (const c of r.components) {
    seen.add(c.name);
    componentRow(body, c);
  }
  for (const tr of Array.from(body.rows)) {
    if (!seen.has(tr.dataset.component ?? "")) tr.remove();
  }
}

function componentRow(body: HTMLTableSectionElement, c: ComponentHealth): void {
  let tr = body.querySelector<HTMLTableRowElement>(`tr[data-component="${CSS.escape(c.name)}"]`);
  if (!tr) {
    tr = el("tr");
    tr.dataset.component = c.name;
    tr.append(el("th", c.name, { scope: "row" }), el("td"), el("td"), el("td"));
    body.append(tr);
  }
  const status = name(HealthStatus, c.status);
  tr.dataset.status = status;
  tr.cells[1]!.dataset.status = status;
  setText(tr.cells[1]!, status);
  setText(tr.cells[2]!, c.reason || "—");
  setText(tr.cells[3]!, when(c.lastProgress));
}
