// The dashboard: a static shell (index.html) that reads nothing until the
// daemon accepts the browser's cookie. Without it, the login form; with it,
// one section per hash route (#overview, #orders, ...), the Overview kept
// live by WatchHealth. One tab of the page holds the streams and the
// others render its broadcasts (tabs.ts).
import "./dashboard.css";
import { ConnectError } from "@connectrpc/connect";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  GetStatusResponse,
  GetStatusResponseSchema,
  Session,
  WatchHealthResponse,
  WatchHealthResponseSchema,
} from "../gen/trading/v1/trading_pb";
import { api, isUnauthenticated, reason, watch } from "./api";
import { byId, markControls, setText } from "./dom";
import { wireLogin } from "./login";
import * as feed from "./orderfeed";
import * as tabs from "./tabs";
import * as overview from "./views/overview";
import * as orders from "./views/orders";
import * as controls from "./views/controls";
import * as account from "./views/account";
import * as history from "./views/history";
import * as backtest from "./views/backtest";

// A view owns one <section>: mount builds it once; show/hide are called as
// its route is entered and left (so it reads the daemon only while seen);
// status gets every GetStatus answer, whatever the route.
interface View {
  mount(root: HTMLElement): void;
  show?(): void;
  hide?(): void;
  status?(st: GetStatusResponse): void;
}

// The routes, in the nav's order; each has a <section> and a #nav-<route>.
const routes = ["overview", "account", "orders", "controls", "history", "backtest"] as const;
type Route = (typeof routes)[number];

// Every route's view.
const views: Record<Route, View> = { overview, account, orders, controls, history, backtest };

// The routes whose view shows the session's state and risk: GetStatus is
// re-read every 2 s while one is on screen, because the kill switch can
// trip between two health reports (5 minutes apart by default).
const statusRoutes: ReadonlySet<Route> = new Set<Route>(["overview", "controls"]);

let stopWatching: (() => void) | undefined;

type Conn = "connecting" | "live" | "lost" | "reconnected" | "paused" | "signed-out";

let lastConn: { state: Conn; text: string } = { state: "connecting", text: "Connecting…" };

function conn(state: Conn, text: string): void {
  lastConn = { state, text };
  if (tabs.isLeader()) tabs.post({ t: "conn", state, text });
  const p = byId("conn-status");
  p.dataset.state = state;
  setText(p, text);
  // While the stream is down, what the Overview shows is as old as the
  // last report: it says so rather than look live.
  overview.stale(state === "lost");
}

function describe(err: ConnectError): string {
  const r = reason(err);
  return r ? `${err.rawMessage} (${r})` : err.rawMessage;
}

let current: Route | undefined; // the route shown; undefined while logged out
let statusPoll: ReturnType<typeof setInterval> | undefined;

function routeOf(hash: string): Route {
  const r = hash.replace(/^#/, "");
  return (routes as readonly string[]).includes(r) ? (r as Route) : "overview";
}

// route shows the section of the location's hash (unknown or empty: the
// Overview) and hides the rest, telling the views that were left and entered.
function route(): void {
  const next = routeOf(location.hash);
  if (next !== current) {
    if (current) views[current]?.hide?.();
    current = next;
    for (const r of routes) {
      byId(r).hidden = r !== next;
      const a = byId(`nav-${r}`);
      if (r === next) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    views[next]?.show?.();
  }
  clearInterval(statusPoll);
  statusPoll = undefined;
  if (statusRoutes.has(next)) {
    refreshStatus();
    // Every tab's answer is broadcast: a tab polls only when no tab has
    // lately, so the page polls about once per 2 s however many tabs show.
    statusPoll = setInterval(() => {
      if (document.visibilityState === "visible" && performance.now() - statusSeen > statusEveryMs - 500) refreshStatus();
    }, statusEveryMs);
  }
  markControls();
}

function leaveRoute(): void {
  if (current) views[current]?.hide?.();
  current = undefined;
  clearInterval(statusPoll);
  statusPoll = undefined;
}

function showLogin(message: string): void {
  stopWatching?.();
  stopWatching = undefined;
  leaveRoute();
  clearTimeout(statusTimer);
  statusDue = Infinity;
  statusAgain = false;
  byId("dashboard").hidden = true;
  byId("logout").hidden = true;
  byId("login").hidden = false;
  const e = byId("login-error");
  setText(e, message);
  e.hidden = message === "";
  conn("signed-out", "Not logged in");
  markControls();
  byId<HTMLInputElement>("token").focus();
}

// refreshStatus re-reads GetStatus after a health report: at most every
// 2 s, or every 0.5 s when the report has news (urgent). Health reports can
// come every 100 ms and all loopback tabs share one rate limit, so one call
// at a time and never more often than that.
const statusEveryMs = 2000;
const urgentEveryMs = 500;
let lastStatus = 0;
let statusDue = Infinity; // when the scheduled call runs; Infinity: none
let statusTimer: ReturnType<typeof setTimeout> | undefined;
let statusInFlight = false;
let statusAgain = false;
let answeredAt = 0; // when (epoch ms) a control's answer last showed the session, in any tab
let statusSeen = 0; // when (performance.now()) a GetStatus answer last came, from any tab

function refreshStatus(urgent = false): void {
  if (statusInFlight) {
    statusAgain ||= urgent;
    return;
  }
  const due = Math.max(performance.now(), lastStatus + (urgent ? urgentEveryMs : statusEveryMs));
  if (statusDue <= due) return;
  clearTimeout(statusTimer);
  statusDue = due;
  statusTimer = setTimeout(readStatus, due - performance.now());
}

async function readStatus(): Promise<void> {
  statusDue = Infinity;
  statusInFlight = true;
  lastStatus = performance.now();
  const sent = tabs.epochMs();
  try {
    const st = await api.getStatus({});
    statusSeen = performance.now();
    // Asked before a control's answer came: older than what is shown. The
    // call that follows (statusAgain) reads the news.
    if (sent < answeredAt) statusAgain = true;
    else {
      showStatus(st);
      tabs.post({ t: "status", b: toBinary(GetStatusResponseSchema, st), asked: sent });
    }
  } catch (e) {
    // A lost connection is the health stream's to report and recover.
    if (isUnauthenticated(e)) {
      showLogin("The daemon no longer accepts this login (was its token changed?). Log in again.");
      return;
    }
  } finally {
    statusInFlight = false;
  }
  if (statusAgain) {
    statusAgain = false;
    refreshStatus(true);
  }
}

function showStatus(st: GetStatusResponse): void {
  overview.showSession(st.session);
  if (st.health) overview.showHealth(st.health);
  for (const v of Object.values(views)) v.status?.(st);
  ready();
}

function ready(): void {
  const html = document.documentElement;
  if (html.dataset.ready === "true") return;
  html.dataset.firstRenderMs = String(Math.round(performance.now()));
  html.dataset.ready = "true";
}

function showDashboard(st: GetStatusResponse | undefined): void {
  byId("login").hidden = true;
  byId("dashboard").hidden = false;
  byId("logout").hidden = false;
  if (st) showStatus(st);
  route();
  stopWatching?.();
  if (!tabs.shared) {
    stopWatching = watchHealth();
    return;
  }
  // The lock picks the one tab that holds the streams; this tab asks the
  // others what they show and the leader what it knows ("who").
  stopWatching = tabs.lead(() => {
    const stopHealth = watchHealth();
    const stopOrders = feed.lead();
    tabs.post({ t: "who" });
    return () => {
      stopHealth();
      stopOrders();
    };
  });
  tabs.post({ t: "who" });
}

let lastHealth: WatchHealthResponse | undefined;

function onHealth(m: WatchHealthResponse): void {
  if (!m.report) return;
  lastHealth = m;
  overview.showHealth(m.report);
  account.onHealth(m.report);
  ready();
}

function watchHealth(): () => void {
  return watch<WatchHealthResponse>({
    keepWhileHidden: tabs.shared,
    open: (signal) => api.watchHealth({}, { signal }),
    onMessage: (m) => {
      if (!m.report) return;
      onHealth(m);
      if (tabs.isLeader()) tabs.post({ t: "health", b: toBinary(WatchHealthResponseSchema, m) });
      refreshStatus(overview.isNews(m.report));
    },
    onConnected: (reconnected) => {
      conn(reconnected ? "reconnected" : "live", reconnected ? "Reconnected" : "Live");
      // What happened while the stream was down: a stop, a kill switch.
      if (reconnected) refreshStatus(true);
    },
    onLost: (err, retryInMs) => {
      const secs = Math.max(1, Math.round(retryInMs / 1000));
      conn("lost", `Connection lost — reconnecting in ${secs} s… (${describe(err)})`);
    },
    onPaused: () => conn("paused", "Paused while this tab is hidden"),
    onUnauthenticated: () => {
      const text = "The daemon no longer accepts this login. Log in again.";
      tabs.post({ t: "signed-out", text });
      showLogin(text);
    },
  });
}

async function boot(): Promise<void> {
  conn("connecting", "Connecting…");
  try {
    lastStatus = performance.now();
    showDashboard(await api.getStatus({}));
  } catch (e) {
    if (isUnauthenticated(e)) {
      showLogin("");
      return;
    }
    // Unreachable or refused for another reason: the dashboard's stream
    // retries and says so; GetStatus follows once it is back.
    showDashboard(undefined);
    conn("lost", `Connection lost — reconnecting… (${describe(ConnectError.from(e))})`);
  }
}

function wire(): void {
  for (const [r, v] of Object.entries(views)) v.mount(byId(r));
  window.addEventListener("hashchange", () => {
    if (current) route();
  });
  // A view that asks for fresh status (after a control's call) gets it
  // through the one throttled path every view shares.
  document.addEventListener("dashboard:status", () => refreshStatus(true));
  // A control's answer carries the session as the call left it (started,
  // stopped, the kill switch reset): shown at once on every view.
  document.addEventListener("dashboard:session", (ev) => {
    answeredAt = tabs.epochMs();
    const st = create(GetStatusResponseSchema, { session: (ev as CustomEvent<Session>).detail });
    showStatus(st);
    tabs.post({ t: "status", b: toBinary(GetStatusResponseSchema, st), asked: answeredAt, answer: true });
  });
  tabs.on(onBroadcast);
  wireLogin({
    boot,
    refused: showLogin,
    logoutFailed: () => conn("lost", "Log out failed: the daemon did not answer. Try again."),
  });
}

// onBroadcast renders what the other tabs send: the leader's streams,
// every tab's GetStatus answers, logins and logouts.
function onBroadcast(m: tabs.Msg): void {
  const signedIn = !byId("dashboard").hidden;
  switch (m.t) {
    case "who":
      if (!tabs.isLeader()) break;
      tabs.post({ t: "conn", ...lastConn });
      if (lastHealth) tabs.post({ t: "health", b: toBinary(WatchHealthResponseSchema, lastHealth) });
      break;
    case "health":
      if (signedIn && !tabs.isLeader()) onHealth(fromBinary(WatchHealthResponseSchema, m.b));
      break;
    case "conn":
      if (signedIn && !tabs.isLeader()) conn(m.state as Conn, m.text);
      break;
    case "status":
      if (!signedIn) break;
      statusSeen = performance.now();
      if (m.asked < answeredAt) break; // older than a control's answer shown
      // A control's answer in another tab: what this tab asked before it is old.
      if (m.answer) answeredAt = m.asked;
      showStatus(fromBinary(GetStatusResponseSchema, m.b));
      break;
    case "login":
      if (!signedIn) void boot();
      break;
    case "logout":
      location.reload();
      break;
    case "signed-out":
      if (signedIn) showLogin(m.text);
      break;
  }
}

wire();
void boot();
