// Controls: start a paper session, stop it with a deadline, reset the kill
// switch with a reason. Each asks first in the page's one confirmation
// dialog; a refusal shows the API's own reason at the field it names.
import { ConnectError } from "@connectrpc/connect";
import { GetStatusResponse, Session, SessionState, TradingState } from "../../gen/trading/v1/trading_pb";
import { api, isUnauthenticated, metadata, reason } from "../api";
import { parseSeconds } from "../duration";
import { byId, el, markControls, setText } from "../dom";
import { buildStartForm, clearErrors, field, setFieldError, showRefusal, startRequest } from "../form";

let session: Session | undefined;
let strategies: Promise<void> | undefined; // loaded, or being loaded
let interrupted = ""; // the interrupted session offered for resuming; "": none
// The session #controls-result speaks of: when the page shows another
// (a restart, a start from tradectl, another login), the old result goes.
let resultOf: string | undefined;
let busy = false; // a call is out: its own answer decides what shows

export function mount(root: HTMLElement): void {
  const result = el("p", undefined, { id: "controls-result", role: "status", "aria-live": "polite", tabindex: "-1" });

  const start = el("form", undefined, { id: "start-form", novalidate: "", "aria-labelledby": "start-title" });
  start.append(el("h3", "Start a paper session", { id: "start-title" }));
  start.append(el("p", "Loading the strategies…", { id: "start-loading", class: "note" }));
  const startBtn = el("button", "Start…", { id: "start", type: "submit", disabled: "" });
  const startError = el("p", undefined, { id: "start-error", class: "error", role: "alert", hidden: "" });
  start.append(el("div", undefined, { id: "start-fields" }), startBtn, startError);
  // A session a crash interrupted: carry it on, or give it up for this one.
  const offer = el("div", undefined, { id: "interrupted", role: "group", "aria-labelledby": "interrupted-text", hidden: "" });
  const resumeBtn = el("button", "Resume session", { id: "resume-session", type: "button" });
  const abandonBtn = el("button", "Abandon it and start this one…", { id: "abandon-start", type: "button" });
  offer.append(el("p", undefined, { id: "interrupted-text", class: "note" }), resumeBtn, abandonBtn);
  start.append(offer);

  const stop = el("form", undefined, { id: "stop-form", novalidate: "", "aria-labelledby": "stop-title" });
  stop.append(el("h3", "Stop the session", { id: "stop-title" }));
  const deadline = field(stop, "stop-deadline", "deadline", "Deadline (seconds)", "how long the session may take to wind down; at most 300") as HTMLInputElement;
  deadline.value = "10";
  deadline.inputMode = "decimal";
  const keep = el("input", undefined, { id: "stop-keep-orders", name: "keep_open_orders", type: "checkbox" });
  // The box and its label sit together in the inputs' column, under the
  // deadline's input, not in the column of labels.
  const keepRow = el("div", undefined, { class: "field" });
  const keepBox = el("div", undefined, { class: "check" });
  keepBox.append(keep, el("label", "Keep its resting orders open at the venue (by default the stop cancels them)", { for: keep.id }));
  keepRow.append(keepBox);
  stop.append(keepRow);
  const stopBtn = el("button", "Stop…", { id: "stop", type: "submit", disabled: "", "aria-describedby": "stop-why" });
  stop.append(stopBtn, el("span", undefined, { id: "stop-why", class: "note" }), el("p", undefined, { id: "stop-error", class: "error", role: "alert", hidden: "" }));

  const reset = el("form", undefined, { id: "reset-form", novalidate: "", "aria-labelledby": "reset-title" });
  reset.append(el("h3", "Reset the kill switch", { id: "reset-title" }));
  const why = field(reset, "reset-reason", "reason", "Reason", "why it is safe to trade again; recorded in the daemon's log") as HTMLInputElement;
  why.required = true;
  const resetBtn = el("button", "Reset kill switch…", { id: "reset-kill", type: "submit", disabled: "", "aria-describedby": "reset-why" });
  reset.append(resetBtn, el("span", undefined, { id: "reset-why", class: "note" }), el("p", undefined, { id: "reset-error", class: "error", role: "alert", hidden: "" }));

  root.append(result, start, stop, reset);
  // A new login starts with no result of the last one's calls.
  for (const id of ["login-form", "logout"]) {
    document.getElementById(id)?.addEventListener(id === "logout" ? "click" : "submit", () => clearResult());
  }

  start.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void onStart(start, startBtn);
  });
  stop.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void onStop(stop, deadline, keep, stopBtn);
  });
  resumeBtn.addEventListener("click", () => void onResume(start, resumeBtn));
  abandonBtn.addEventListener("click", () => void onAbandon(start, abandonBtn));
  reset.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void onReset(reset, why, resetBtn);
  });
}

export function show(): void {
  strategies ??= loadStrategies();
}

async function loadStrategies(): Promise<void> {
  const loading = byId("start-loading");
  try {
    const r = await api.listStrategies({});
    const form = byId<HTMLFormElement>("start-form");
    const box = byId("start-fields");
    box.replaceChildren();
    buildStartForm(box, r.strategies);
    loading.hidden = true;
    byId<HTMLButtonElement>("start").disabled = false;
    form.dataset.loaded = "true";
  } catch (e) {
    strategies = undefined; // the next visit tries again
    if (isUnauthenticated(e)) return;
    setText(loading, `The strategies could not be read (${ConnectError.from(e).rawMessage}); open Controls again to retry.`);
  }
  markControls();
}

// status enables Stop and Reset only where they apply, from every GetStatus
// the page makes (they stay on the page, labelled, while disabled).
export function status(st: GetStatusResponse): void {
  session = st.session;
  const s = st.session;
  const id = s?.id ?? "";
  if (resultOf !== undefined && id !== resultOf && !busy) clearResult();
  if (s?.state === SessionState.INTERRUPTED) offerResume(s.id);
  else if (s && (s.state === SessionState.RUNNING || s.state === SessionState.STARTING || s.id === interrupted)) offerResume("");
  enable();
}

// offerResume shows the choice for the interrupted session id ("": hides it).
function offerResume(id: string): void {
  if (id === interrupted) return;
  interrupted = id;
  byId("interrupted").hidden = id === "";
  setText(byId("resume-session"), `Resume session ${id}…`);
  setText(
    byId("interrupted-text"),
    id === "" ? "" : `Session ${id} was interrupted (the daemon stopped while it traded): no new session starts until it is resumed or abandoned.`,
  );
  markControls();
}

function enable(): void {
  const state = session?.state ?? SessionState.UNSPECIFIED;
  const running = state === SessionState.RUNNING || state === SessionState.STARTING;
  const risk = session?.summary?.risk?.state ?? TradingState.UNSPECIFIED;
  const halted = state === SessionState.RUNNING && (risk === TradingState.HALTED || risk === TradingState.REDUCING);
  const stopBtn = byId<HTMLButtonElement>("stop");
  const resetBtn = byId<HTMLButtonElement>("reset-kill");
  if (stopBtn.disabled === running || resetBtn.disabled === halted) {
    stopBtn.disabled = !running;
    resetBtn.disabled = !halted;
    markControls();
  }
  setText(byId("stop-why"), running ? "" : "Nothing to stop: no session is running.");
  setText(byId("reset-why"), halted ? "" : "Nothing to reset: the kill switch has not tripped.");
}

// confirm asks in dialog#confirm; Esc or Cancel answers no. Focus returns to
// whatever had it (the form's button) when the dialog closes.
function confirm(text: string): Promise<boolean> {
  const d = byId<HTMLDialogElement>("confirm");
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  setText(byId("confirm-text"), text);
  d.returnValue = "";
  return new Promise((resolve) => {
    d.addEventListener(
      "close",
      () => {
        opener?.focus();
        resolve(d.returnValue === "ok");
      },
      { once: true },
    );
    d.showModal();
  });
}

// result shows a call's outcome and the session as its answer gave it,
// on every view at once (main.ts), before the next GetStatus confirms it.
function result(text: string, answered?: Session): void {
  setText(byId("controls-result"), text);
  resultOf = answered?.id ?? session?.id ?? "";
  if (answered) document.dispatchEvent(new CustomEvent<Session>("dashboard:session", { detail: answered }));
  document.dispatchEvent(new Event("dashboard:status"));
}

function clearResult(): void {
  setText(byId("controls-result"), "");
  resultOf = undefined;
}

function describe(s: Session | undefined): string {
  if (!s) return "no session";
  const st = s.settings;
  return `${s.id} (${st?.strategy ?? "?"} on ${st?.symbols.join(", ") ?? "?"}, ${SessionState[s.state] ?? s.state})`;
}

async function call(
  form: HTMLFormElement,
  slotId: string,
  button: HTMLButtonElement,
  run: () => Promise<{ text: string; session?: Session }>,
): Promise<void> {
  button.disabled = true;
  busy = true;
  setText(byId("controls-result"), "Asking the daemon…");
  resultOf = session?.id ?? "";
  try {
    const r = await run();
    result(r.text, r.session);
  } catch (e) {
    const err = ConnectError.from(e);
    const slot = byId(slotId);
    if (reason(err) === "SESSION_CHANGED") {
      // The call named the session the page showed; another runs now.
      // Nothing was done: say so where the form speaks, and look again.
      const now = metadata(err, "session_id") || "another one";
      slot.hidden = false;
      setText(slot, `The session changed to ${now} since this page last looked; nothing was done.`);
      setText(byId("controls-result"), `Refused: the session changed to ${now}; nothing was done.`);
      resultOf = metadata(err, "session_id");
      document.dispatchEvent(new Event("dashboard:status"));
    } else {
      showRefusal(form, slot, err);
      setText(byId("controls-result"), `Refused: ${err.rawMessage}`);
    }
    if (reason(err) === "SESSION_INTERRUPTED") offerResume(metadata(err, "session_id"));
  } finally {
    busy = false;
    if (button.form?.id === "start-form") button.disabled = false;
    enable();
    markControls();
    // The button was disabled during the call, which took the focus away:
    // give it back, or, if the button no longer applies, to the result.
    if (document.activeElement === null || document.activeElement === document.body) {
      if (button.disabled) byId("controls-result").focus();
      else button.focus();
    }
  }
}

async function onStart(form: HTMLFormElement, button: HTMLButtonElement): Promise<void> {
  const slotEl = byId("start-error");
  clearErrors(form, slotEl);
  const req = startRequest(form);
  if (!req) return;
  const s = req.settings!;
  const tick = (form.querySelector<HTMLInputElement>('[name="settings.tick_interval"]')?.value.trim() || "1s");
  const on = s.symbols && s.symbols.length > 0 ? s.symbols.join(", ") : "the default symbol";
  if (!(await confirm(`Start a paper session of ${s.strategy} on ${on}, ticking every ${tick}?`))) return;
  await call(form, "start-error", button, async () => {
    const r = await api.startTrading(req, { timeoutMs: actionTimeoutMs });
    session = r.session;
    const text = r.alreadyRunning ? `That session was already running: ${describe(r.session)}.` : `Started session ${describe(r.session)}.`;
    return { text, session: r.session };
  });
}

// onResume carries the interrupted session on, with its own settings.
async function onResume(form: HTMLFormElement, button: HTMLButtonElement): Promise<void> {
  const id = interrupted;
  clearErrors(form, byId("start-error"));
  if (!(await confirm(`Resume session ${id} with its own settings, account, open orders and risk state?`))) return;
  await call(form, "start-error", button, async () => {
    const r = await api.startTrading({ resume: true, sessionId: id }, { timeoutMs: actionTimeoutMs });
    session = r.session;
    offerResume("");
    return { text: `Resumed session ${describe(r.session)}.`, session: r.session };
  });
}

// onAbandon starts the form's session, giving the interrupted one up: its
// open orders are cancelled and it is marked ABANDONED.
async function onAbandon(form: HTMLFormElement, button: HTMLButtonElement): Promise<void> {
  const id = interrupted;
  clearErrors(form, byId("start-error"));
  const req = startRequest(form);
  if (!req) return;
  const s = req.settings!;
  const on = s.symbols && s.symbols.length > 0 ? s.symbols.join(", ") : "the default symbol";
  const q = `Abandon session ${id} (its open orders are cancelled and it is marked ABANDONED) and start a paper session of ${s.strategy} on ${on}?`;
  if (!(await confirm(q))) return;
  await call(form, "start-error", button, async () => {
    const r = await api.startTrading({ ...req, abandonInterrupted: true }, { timeoutMs: actionTimeoutMs });
    session = r.session;
    offerResume("");
    return { text: `Abandoned session ${id}; started session ${describe(r.session)}.`, session: r.session };
  });
}

// An action's call has a time limit. Without one, a call the browser
// could not send (over plain HTTP every connection to the daemon held by
// the streams of other tabs) waited, and went when a tab closed: a stop
// clicked for one session stopped the one started since from tradectl.
// The limit aborts a call still queued in the browser, which then never
// reaches the daemon.
const actionTimeoutMs = 15_000;
const stopSlackMs = 5_000; // as tradectl stop's

async function onStop(form: HTMLFormElement, deadline: HTMLInputElement, keep: HTMLInputElement, button: HTMLButtonElement): Promise<void> {
  clearErrors(form, byId("stop-error"));
  // The daemon's bounds (StopTradingRequest), checked before the dialog
  // asks to confirm a stop it would refuse.
  let d = parseSeconds(deadline.value);
  if (typeof d !== "string" && d.seconds === 0n && d.nanos === 0) d = "must be more than 0 s";
  else if (typeof d !== "string" && (d.seconds > 300n || (d.seconds === 300n && d.nanos > 0))) d = "is longer than the maximum of 300 s";
  if (typeof d === "string") {
    setFieldError(deadline, d);
    deadline.focus();
    return;
  }
  const secs = deadline.value.trim();
  const keepOpen = keep.checked;
  const orders = keepOpen ? "Its resting orders stay open at the venue." : "Its resting orders are cancelled.";
  // The session confirmed is the one stopped, or none: the daemon refuses
  // a stop of any other (SESSION_CHANGED).
  const shown = session;
  if (!(await confirm(`Stop session ${describe(shown)}, waiting up to ${secs} s for it to wind down? ${orders}`))) return;
  await call(form, "stop-error", button, async () => {
    // The stop's own deadline plus the slack tradectl stop gives it.
    const ms = Number(d.seconds) * 1000 + Math.ceil(d.nanos / 1e6) + stopSlackMs;
    const r = await api.stopTrading({ deadline: d, keepOpenOrders: keepOpen, sessionId: shown?.id ?? "" }, { timeoutMs: ms });
    session = r.session;
    const left = r.unsettledOrders.length > 0 ? ` Orders not settled within the deadline (they may still be open): ${r.unsettledOrders.join(", ")}.` : "";
    const text = r.wasRunning ? `Stopped session ${describe(r.session)}.${left}` : `No session was running; the last is ${describe(r.session)}.${left}`;
    return { text, session: r.session };
  });
}

async function onReset(form: HTMLFormElement, why: HTMLInputElement, button: HTMLButtonElement): Promise<void> {
  clearErrors(form, byId("reset-error"));
  const reason = why.value.trim();
  if (reason === "") {
    setFieldError(why, "Say why it is safe to trade again.");
    why.focus();
    return;
  }
  const bytes = new TextEncoder().encode(reason).length;
  if (bytes > 512) {
    setFieldError(why, `is ${bytes} bytes long; at most 512`);
    why.focus();
    return;
  }
  const shown = session;
  if (!(await confirm(`Reset the kill switch of session ${describe(shown)} and let it trade again? Reason: ${reason}`))) return;
  await call(form, "reset-error", button, async () => {
    const r = await api.resetKillSwitch({ reason, sessionId: shown?.id ?? "" }, { timeoutMs: actionTimeoutMs });
    // The answer's risk state is the session's now: the banner goes at once.
    if (session?.summary && r.risk) session.summary.risk = r.risk;
    why.value = "";
    return { text: `Kill switch reset: trading state ${TradingState[r.risk?.state ?? 0] ?? "?"}.`, session };
  });
}
