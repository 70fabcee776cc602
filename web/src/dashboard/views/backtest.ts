// Backtest: a strategy run over the paper market's simulator inside the
// daemon (RunBacktest), drawn as tradectl backtest --report draws it: the
// same summary table and charts (report/render.ts). Inputs are named by
// the API's field paths under "backtest." (backtest.settings.strategy,
// backtest.sim_duration), so a BadRequest lands next to its input.
import { Code, ConnectError } from "@connectrpc/connect";
import { IChartApi } from "lightweight-charts";
import { OrderSide, Liquidity, RunBacktestResponse, StrategyInfo } from "../../gen/trading/v1/trading_pb";
import { ReportData } from "../../report/data";
import { renderReport } from "../../report/render";
import { api, reason } from "../api";
import { byId, el, markControls, setText } from "../dom";
import { durationText, enumName, ms, parseDuration } from "./format";
import { errorSlot, fieldViolations, markField, clearFields } from "./fields";

// The call's deadline: the daemon stops the run when it passes
// (DEADLINE_EXCEEDED), so a long simulation never outlives the page's wait.
const timeoutMs = 60_000;
const prefix = "backtest.";

let strategies: StrategyInfo[] = [];
let running: AbortController | undefined;
let charts: IChartApi[] = [];

function field(parent: HTMLElement, path: string, label: string, hint: string, input: HTMLInputElement | HTMLSelectElement): void {
  const id = path.replace(/\./g, "-");
  input.id = id;
  input.name = path;
  const row = el("div", undefined, { class: "field" });
  row.append(el("label", label, { for: id }), input);
  if (hint) {
    row.append(el("small", hint, { id: `hint-${id}`, class: "hint" }));
    input.setAttribute("aria-describedby", `hint-${id}`);
  }
  row.append(el("span", undefined, { id: errorSlot(path), class: "error field-error", hidden: "" }));
  parent.append(row);
}

function text(value: string): HTMLInputElement {
  const i = el("input", undefined, { type: "text" });
  i.value = value;
  return i;
}

export function mount(root: HTMLElement): void {
  const form = el("form", undefined, { id: "backtest-form", novalidate: "" });
  const strategy = el("select");
  strategy.addEventListener("change", () => showParams());
  field(form, `${prefix}settings.strategy`, "Strategy", "", strategy);
  form.append(el("fieldset", undefined, { id: "backtest-params" }));
  field(form, `${prefix}settings.symbols`, "Symbols", "comma-separated, BASE-QUOTE", text("BTC-USD"));
  field(form, `${prefix}settings.seed`, "Seed", "of the simulated market; the same seed gives the same run", text("1"));
  field(form, `${prefix}sim_duration`, "Market time to simulate", "for example 30m or 1h; at most 24h", text("1h"));
  field(form, `${prefix}settings.starting_cash`, "Starting cash", "USD; empty: 100000", text(""));
  const buttons = el("div", undefined, { class: "buttons" });
  const run = el("button", "Run backtest", { id: "backtest-run", type: "submit" });
  const cancel = el("button", "Cancel", { id: "backtest-cancel", type: "button", hidden: "" });
  cancel.addEventListener("click", () => running?.abort());
  buttons.append(run, cancel);
  form.append(buttons);
  form.append(el("p", "", { id: "backtest-error", class: "error", role: "alert", hidden: "" }));
  form.append(el("p", "", { id: "backtest-status", class: "note", role: "status", "aria-live": "polite" }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void submit(form);
  });
  root.append(form);
  root.append(el("div", undefined, { id: "backtest-result", "aria-live": "polite" }));
}

export function show(): void {
  if (strategies.length === 0) void loadStrategies();
}

// hide leaves a running backtest running: the view keeps its result for
// when the operator comes back.
export function hide(): void {}

async function loadStrategies(): Promise<void> {
  try {
    strategies = (await api.listStrategies({})).strategies;
  } catch (e) {
    showError(`Could not list the strategies: ${ConnectError.from(e).rawMessage}`);
    return;
  }
  const select = byId<HTMLSelectElement>("backtest-settings-strategy");
  select.replaceChildren(...strategies.map((s) => el("option", s.name, { value: s.name })));
  select.value = (strategies.find((s) => s.name === "grid") ?? strategies[0])?.name ?? "";
  showParams();
}

// showParams lists the chosen strategy's parameters, each with its default.
function showParams(): void {
  const name = byId<HTMLSelectElement>("backtest-settings-strategy").value;
  const s = strategies.find((x) => x.name === name);
  const box = byId("backtest-params");
  box.replaceChildren(el("legend", s && s.params.length > 0 ? `Parameters of ${s.name}` : "This strategy has no parameters"));
  if (s?.description) box.append(el("p", s.description, { class: "hint" }));
  for (const p of s?.params ?? []) {
    const input = text(p.defaultValue);
    input.placeholder = p.defaultValue;
    field(box, `${prefix}settings.params.${p.name}`, p.name, `${p.description} (default ${p.defaultValue})`, input);
  }
  markControls();
}

function value(form: HTMLFormElement, path: string): string {
  const c = form.elements.namedItem(prefix + path) as HTMLInputElement | HTMLSelectElement | null;
  return c ? c.value.trim() : "";
}

function showError(message: string): void {
  const e = byId("backtest-error");
  setText(e, message);
  e.hidden = message === "";
}

function setState(state: "running" | "done" | "failed"): void {
  byId("backtest-result").dataset.state = state;
  byId("backtest-form").dataset.state = state;
  const busy = state === "running";
  byId<HTMLButtonElement>("backtest-run").disabled = busy;
  byId("backtest-cancel").hidden = !busy;
  markControls();
}

async function submit(form: HTMLFormElement): Promise<void> {
  if (running) return;
  clearFields(form);
  showError("");
  // What cannot be encoded is marked here; the rest is the daemon's to judge.
  const seedText = value(form, "settings.seed");
  const seedOK = seedText === "" || (/^\d{1,20}$/.test(seedText) && BigInt(seedText) < 1n << 64n);
  if (!seedOK) markField(form, `${prefix}settings.seed`, "must be a whole number from 0 to 2^64−1");
  const sim = parseDuration(value(form, "sim_duration"));
  if (!sim) markField(form, `${prefix}sim_duration`, "must be a duration such as 30m or 1h");
  if (!seedOK || !sim) return;
  const params: Record<string, string> = {};
  for (const c of Array.from(form.querySelectorAll<HTMLInputElement>(`[name^="${prefix}settings.params."]`))) {
    if (c.value.trim() !== "") params[c.name.slice(`${prefix}settings.params.`.length)] = c.value.trim();
  }
  const ac = new AbortController();
  running = ac;
  // The last result goes: a failure must not stand beside another run's charts.
  clearResult();
  setState("running");
  const started = performance.now();
  setText(byId("backtest-status"), `Running ${value(form, "sim_duration")} of market time… (at most ${timeoutMs / 1000} s)`);
  try {
    const res = await api.runBacktest(
      {
        settings: {
          strategy: value(form, "settings.strategy"),
          symbols: value(form, "settings.symbols").split(",").map((s) => s.trim()).filter((s) => s !== ""),
          seed: seedText === "" ? 0n : BigInt(seedText),
          startingCash: value(form, "settings.starting_cash"),
          params,
        },
        simDuration: sim,
      },
      { signal: ac.signal, timeoutMs },
    );
    draw(res);
    setState("done");
    setText(byId("backtest-status"), `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } catch (e) {
    setState("failed");
    setText(byId("backtest-status"), "");
    refused(form, ConnectError.from(e), ac.signal.aborted);
  } finally {
    running = undefined;
  }
}

// refused shows why the call failed: each field violation at its input,
// the rest (busy, deadline, cancelled, anything else) in #backtest-error.
function refused(form: HTMLFormElement, err: ConnectError, cancelled: boolean): void {
  if (cancelled || err.code === Code.Canceled) {
    showError("Cancelled: the daemon stops the run.");
    return;
  }
  const loose: string[] = [];
  let first = true;
  for (const v of fieldViolations(err)) {
    if (markField(form, prefix + v.field, v.description, first)) first = false;
    else loose.push(`${v.field}: ${v.description}`);
  }
  const r = reason(err);
  if (err.code === Code.DeadlineExceeded) {
    showError(`The backtest did not finish within ${timeoutMs / 1000} s: simulate less market time, or fewer symbols.`);
  } else if (r === "BACKTEST_BUSY") {
    showError("Another backtest is running in the daemon (BACKTEST_BUSY): run this one when it is done.");
  } else if (err.code === Code.Unimplemented) {
    showError("This daemon cannot run backtests (RunBacktest is not implemented): use tradectl backtest --report.");
  } else if (!first && loose.length === 0) {
    showError(`Refused (${r || Code[err.code]}): see the marked fields.`);
  } else {
    showError(`Refused (${r || Code[err.code]}): ${loose.length > 0 ? loose.join("; ") : err.rawMessage}`);
  }
}

function clearResult(): void {
  for (const c of charts) c.remove();
  charts = [];
  const root = byId("backtest-result");
  root.replaceChildren();
  delete root.dataset.markers;
}

function draw(res: RunBacktestResponse): void {
  clearResult();
  const root = byId("backtest-result");
  const drawn = renderReport(root, reportData(res), "backtest-", 3);
  charts = drawn.charts;
  root.dataset.markers = String(drawn.markers);
}

// reportData is what internal/report writes into a report file, built from
// the daemon's answer, so that renderReport draws both alike.
function reportData(res: RunBacktestResponse): ReportData {
  const every = durationText(res.chartEvery);
  const r = res.result;
  return {
    title: `Backtest: ${r?.strategy ?? ""}`,
    summary: res.summary.map((s) => ({ label: s.label, value: s.value })),
    every,
    downsampled:
      `Drawn from ${res.equity.length} points: the first event in every ${every} (and the last event), so that a long run stays small; ` +
      "the summary's figures come from every event.",
    equity: res.equity.map((p) => [ms(p.time), p.equity, p.drawdown || "0"]),
    prices: res.prices.map((s) => ({ symbol: s.symbol, points: s.points.map((p) => [ms(p.time), p.price] as [number, string]) })),
    trades: res.trades.map((t) => ({
      time: new Date(ms(t.fill?.time)).toISOString(),
      order_id: t.clientOrderId,
      symbol: t.symbol,
      side: enumName(OrderSide, t.side),
      quantity: t.fill?.quantity ?? "",
      price: t.fill?.price ?? "",
      fee: t.fill?.fee ?? "",
      liquidity: t.fill ? enumName(Liquidity, t.fill.liquidity) : "",
      slippage: t.fill?.slippage ?? "",
    })),
    trades_total: Number(r?.fills ?? 0n),
  };
}
