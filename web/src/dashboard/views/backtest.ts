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
import { parseDuration } from "../duration";
import { FormIds, clearErrors, field, idOf, inputFor, markViolations, paramsOf, refusalText, seedOf, setFieldError, strategyFields, symbolsOf, value } from "../form";
import { durationText, enumName, ms } from "./format";

// The call's deadline: the daemon stops the run when it passes
// (DEADLINE_EXCEEDED), so a long simulation never outlives the page's wait.
const timeoutMs = 60_000;
const prefix = "backtest.";

let strategies: StrategyInfo[] = [];
let running: AbortController | undefined;
let charts: IChartApi[] = [];

const ids: FormIds = { base: "backtest", prefix };

// text appends a text input for the API field path (under prefix).
function text(parent: HTMLElement, path: string, label: string, hint: string, initial: string): void {
  field(parent, idOf(ids, path), prefix + path, label, hint).value = initial;
}

export function mount(root: HTMLElement): void {
  const form = el("form", undefined, { id: "backtest-form", novalidate: "" });
  // The strategy's select and parameters, once ListStrategies has answered.
  form.append(el("div", undefined, { id: "backtest-strategy" }));
  text(form, "settings.symbols", "Symbols", "comma-separated, BASE-QUOTE", "BTC-USD");
  text(form, "settings.seed", "Seed", "of the simulated market; the same seed gives the same run", "1");
  text(form, "sim_duration", "Market time to simulate", "for example 30m or 1h; at most 24h", "1h");
  text(form, "settings.starting_cash", "Starting cash", "USD; empty: 100000", "");
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
  const box = byId("backtest-strategy");
  box.replaceChildren();
  strategyFields(box, ids, strategies);
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
  clearErrors(form);
  showError("");
  // What cannot be encoded is marked here; the rest is the daemon's to judge.
  const seed = seedOf(form, `${prefix}settings.seed`);
  const sim = parseDuration(value(form, `${prefix}sim_duration`));
  if (typeof sim === "string") {
    const c = inputFor(form, `${prefix}sim_duration`);
    if (c) setFieldError(c, sim);
  }
  if (seed === undefined || typeof sim === "string") return;
  const ac = new AbortController();
  running = ac;
  // The last result goes: a failure must not stand beside another run's charts.
  clearResult();
  setState("running");
  const started = performance.now();
  setText(byId("backtest-status"), `Running ${value(form, `${prefix}sim_duration`)} of market time… (at most ${timeoutMs / 1000} s)`);
  try {
    const res = await api.runBacktest(
      {
        settings: {
          strategy: value(form, `${prefix}settings.strategy`),
          symbols: symbolsOf(form, `${prefix}settings.symbols`),
          seed,
          startingCash: value(form, `${prefix}settings.starting_cash`),
          params: paramsOf(form, prefix),
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
  const marked = markViolations(form, err, prefix);
  marked.first?.focus();
  const r = reason(err);
  if (err.code === Code.DeadlineExceeded) {
    showError(`The backtest did not finish within ${timeoutMs / 1000} s: simulate less market time, or fewer symbols.`);
  } else if (r === "BACKTEST_BUSY") {
    showError("Another backtest is running in the daemon (BACKTEST_BUSY): run this one when it is done.");
  } else if (err.code === Code.Unimplemented) {
    showError("This daemon cannot run backtests (RunBacktest is not implemented): use tradectl backtest --report.");
  } else {
    showError(refusalText(err, marked));
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
