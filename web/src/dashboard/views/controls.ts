// Controls: start a paper session, stop it with a deadline, reset the kill
// switch with a reason. Each asks first in the page's one confirmation
// dialog; a refusal shows the API's own reason at the field it names.
import { ConnectError } from "@connectrpc/connect";
import { GetStatusResponse, Session, SessionState, TradingState } from "../../gen/trading/v1/trading_pb";
import { api, isUnauthenticated } from "../api";
import { parseSeconds } from "../duration";
import { byId, el, markControls, setText } from "../dom";
import { buildStartForm, clearErrors, field, setFieldError, showRefusal, startRequest } from "../form";

let session: Session | undefined;
let strategies: Promise<void> | undefined; // loaded, or being loaded

export function mount(root: HTMLElement): void {
  const result = el("p", undefined, { id: "controls-result", role: "status", "aria-live": "polite", tabindex: "-1" });

  const start = el("form", undefined, { id: "start-form", novalidate: "", "aria-labelledby": "start-title" });
  start.append(el("h3", "Start a paper session", { id: "start-title" }));
  start.append(el("p", "Loading the strategies…", { id: "start-loading", class: "note" }));
  const startBtn = el("button", "Start…", { id: "start", type: "submit", disabled: "" });
  const startError = el("p", undefined, { id: "start-error", class: "error", role: "alert", hidden: "" });
  start.append(el("div", undefined, { id: "start-fields" }), startBtn, startError);

  const stop = el("form", undefined, { id: "stop-form", novalidate: "", "aria-labelledby": "stop-title" });
  stop.append(el("h3", "Stop the session", { id: "stop-title" }));
  const deadline = field(stop, "stop-deadline", "deadline", "Deadline (seconds)", "how long the session may take to wind down; at most 300") as HTMLInputElement;
  deadline.value = "10";
  deadline.inputMode = "decimal";
  const stopBtn = el("button", "Stop…", { id: "stop", type: "submit", disabled: "", "aria-describedby": "stop-why" });
  stop.append(stopBtn, el("span", undefined, { id: "stop-why", class: "note" }), el("p", undefined, { id: "stop-error", class: "error", role: "alert", hidden: "" }));

  const reset = el("form", undefined, { id: "reset-form", novalidate: "", "aria-labelledby": "reset-title" });
  reset.append(el("h3", "Reset the kill switch", { id: "reset-title" }));
  const why = field(reset, "reset-reason", "reason", "Reason", "why it is safe to trade again; recorded in the daemon's log") as HTMLInputElement;
  why.required = true;
  const resetBtn = el("button", "Reset kill switch…", { id: "reset-kill", type: "submit", disabled: "", "aria-describedby": "reset-why" });
  reset.append(resetBtn, el("span", undefined, { id: "reset-why", class: "note" }), el("p", undefined, { id: "reset-error", class: "error", role: "alert", hidden: "" }));

  root.append(result, start, stop, reset);

  start.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void onStart(start, startBtn);
  });
  stop.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void onStop(stop, deadline, stopBtn);
  });
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
  enable();
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

function result(text: string): void {
  setText(byId("controls-result"), text);
  document.dispatchEvent(new Event("dashboard:status"));
}

function describe(s: Session | undefined): string {
  if (!s) return "no session";
  const st = s.settings;
  return `${s.id} (${st?.strategy ?? "?"} on ${st?.symbols.join(", ") ?? "?"}, ${SessionState[s.state] ?? s.state})`;
}

async function call(form: HTMLFormElement, slotId: string, button: HTMLButtonElement, run: () => Promise<string>): Promise<void> {
  button.disabled = true;
  setText(byId("controls-result"), "Asking the daemon…");
  try {
    result(await run());
  } catch (e) {
    const err = ConnectError.from(e);
    showRefusal(form, byId(slotId), err);
    setText(byId("controls-result"), `Refused: ${err.rawMessage}`);
  } finally {
    if (button.id === "start") button.disabled = false;
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
    const r = await api.startTrading(req);
    session = r.session;
    return r.alreadyRunning ? `That session was already running: ${describe(r.session)}.` : `Started session ${describe(r.session)}.`;
  });
}

async function onStop(form: HTMLFormElement, deadline: HTMLInputElement, button: HTMLButtonElement): Promise<void> {
  clearErrors(form, byId("stop-error"));
  const d = parseSeconds(deadline.value);
  if (typeof d === "string") {
    setFieldError(deadline, d);
    deadline.focus();
    return;
  }
  const secs = deadline.value.trim();
  if (!(await confirm(`Stop session ${describe(session)}, waiting up to ${secs} s for it to wind down? Its resting orders are cancelled.`))) return;
  await call(form, "stop-error", button, async () => {
    const r = await api.stopTrading({ deadline: d });
    session = r.session;
    const left = r.unsettledOrders.length > 0 ? ` Orders not settled within the deadline (they may still be open): ${r.unsettledOrders.join(", ")}.` : "";
    return r.wasRunning ? `Stopped session ${describe(r.session)}.${left}` : `No session was running; the last is ${describe(r.session)}.${left}`;
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
  if (!(await confirm(`Reset the kill switch of session ${describe(session)} and let it trade again? Reason: ${reason}`))) return;
  await call(form, "reset-error", button, async () => {
    const r = await api.resetKillSwitch({ reason });
    if (session?.summary && r.risk) session.summary.risk = r.risk;
    why.value = "";
    return `Kill switch reset: trading state ${TradingState[r.risk?.state ?? 0] ?? "?"}.`;
  });
}
