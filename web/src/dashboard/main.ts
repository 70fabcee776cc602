// The dashboard: a static shell (index.html) that reads nothing until the
// daemon accepts the browser's cookie. Without it, the login form; with it,
// the Overview, kept live by WatchHealth.
import "./dashboard.css";
import { ConnectError } from "@connectrpc/connect";
import { GetStatusResponse, WatchHealthResponse } from "../gen/trading/v1/trading_pb";
import { api, isUnauthenticated, login, logout, reason, watch } from "./api";
import { byId, markControls, setText } from "./dom";
import * as overview from "./views/overview";
import * as account from "./views/account";
import * as history from "./views/history";
import * as backtest from "./views/backtest";

// Until the router shows one section at a time, these three are shown
// together whenever the dashboard is.
const shownWithDashboard = [account, history, backtest];

let stopWatching: (() => void) | undefined;

type Conn = "connecting" | "live" | "lost" | "reconnected" | "paused" | "signed-out";

function conn(state: Conn, text: string): void {
  const p = byId("conn-status");
  p.dataset.state = state;
  setText(p, text);
}

function describe(err: ConnectError): string {
  const r = reason(err);
  return r ? `${err.rawMessage} (${r})` : err.rawMessage;
}

function showLogin(message: string): void {
  for (const v of shownWithDashboard) v.hide();
  stopWatching?.();
  stopWatching = undefined;
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
  try {
    showStatus(await api.getStatus({}));
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
  account.status(st);
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
  for (const v of shownWithDashboard) v.show();
  markControls();
  stopWatching?.();
  stopWatching = watch<WatchHealthResponse>({
    open: (signal) => api.watchHealth({}, { signal }),
    onMessage: (m) => {
      if (!m.report) return;
      overview.showHealth(m.report);
      account.onHealth(m.report);
      refreshStatus(overview.isNews(m.report));
      ready();
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
    onUnauthenticated: () => showLogin("The daemon no longer accepts this login. Log in again."),
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
  overview.mount(byId("overview"));
  account.mount(byId("account"));
  history.mount(byId("history"));
  backtest.mount(byId("backtest"));
  const form = byId<HTMLFormElement>("login-form");
  const token = byId<HTMLInputElement>("token");
  const submit = byId<HTMLButtonElement>("login-submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = token.value.trim();
    if (t === "") {
      showLogin("Enter the daemon's token.");
      return;
    }
    submit.disabled = true;
    const refused = await login(t);
    submit.disabled = false;
    if (refused) {
      token.setAttribute("aria-invalid", "true");
      showLogin(refused);
      return;
    }
    // The cookie holds it now; the page keeps no copy.
    token.value = "";
    token.removeAttribute("aria-invalid");
    setText(byId("login-error"), "");
    byId("login-error").hidden = true;
    await boot();
  });
  byId("logout").addEventListener("click", async () => {
    // Until the daemon has expired the cookie, the browser is still logged
    // in: saying otherwise would leave a live credential behind.
    if (await logout()) showLogin("");
    else conn("lost", "Log out failed: the daemon did not answer. Try again.");
  });
}

wire();
void boot();
