// Forms whose inputs are named by the API's field paths
// (settings.risk.max_drawdown), so that a refusal's BadRequest lands next to
// the input it names, and the Start form built from ListStrategies.
import { Code, ConnectError } from "@connectrpc/connect";
import { MessageInitShape } from "@bufbuild/protobuf";
import { Mode, StartTradingRequestSchema, StrategyInfo } from "../gen/trading/v1/trading_pb";
import { reason } from "./api";
import { parseDuration } from "./duration";
import { byId, el, markControls, setText } from "./dom";

export type StartRequest = MessageInitShape<typeof StartTradingRequestSchema>;

// slot is the id of the error slot of the input named path.
export function slot(path: string): string {
  return `err-${path.replace(/\./g, "-")}`;
}

// field appends a labelled input (or select) with the id and the name path,
// a hint and an error slot.
export function field(
  parent: HTMLElement,
  id: string,
  path: string,
  label: string,
  hint: string,
  input: HTMLInputElement | HTMLSelectElement = el("input", undefined, { type: "text" }),
): HTMLInputElement | HTMLSelectElement {
  input.id = id;
  input.name = path;
  const row = el("div", undefined, { class: "field" });
  row.append(el("label", label, { for: id }), input);
  if (hint) {
    row.append(el("small", hint, { id: `hint-${id}`, class: "hint" }));
    input.setAttribute("aria-describedby", `hint-${id}`);
  }
  row.append(el("span", undefined, { id: slot(path), class: "error field-error", hidden: "" }));
  parent.append(row);
  return input;
}

// inputFor finds the input a violation's field path names: "settings.params[fast]"
// is the input settings.params.fast, and "settings.symbols[0]" the one
// settings.symbols (the nearest named ancestor).
export function inputFor(form: HTMLFormElement, path: string, prefix = ""): HTMLInputElement | HTMLSelectElement | undefined {
  const parts = path.replace(/\[([^\]]*)\]/g, ".$1").split(".");
  const floor = prefix.split(".").filter((p) => p !== "").length;
  for (let n = parts.length; n > floor; n--) {
    const name = parts.slice(0, n).join(".");
    const c = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${CSS.escape(name)}"]`);
    if (c) return c;
  }
  return undefined;
}

// setFieldError shows message in input's slot (after what an earlier
// violation of the same field put there), marks the input invalid and
// describes it by the slot.
export function setFieldError(input: HTMLInputElement | HTMLSelectElement, message: string): void {
  const e = byId(slot(input.name));
  setText(e, e.textContent ? `${e.textContent}; ${message}` : message);
  e.hidden = false;
  input.setAttribute("aria-invalid", "true");
  const hint = input.getAttribute("aria-describedby")?.split(" ").filter((id) => id && id !== e.id) ?? [];
  input.setAttribute("aria-describedby", [e.id, ...hint].join(" "));
}

// clearErrors removes what the last refusal marked in form and its slot.
export function clearErrors(form: HTMLFormElement, formSlot?: HTMLElement): void {
  for (const input of Array.from(form.querySelectorAll<HTMLElement>("[aria-invalid]"))) {
    input.removeAttribute("aria-invalid");
    const rest = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && !id.startsWith("err-"));
    if (rest.length > 0) input.setAttribute("aria-describedby", rest.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  for (const e of Array.from(form.querySelectorAll<HTMLElement>(".field-error"))) {
    setText(e, "");
    e.hidden = true;
  }
  if (formSlot) {
    setText(formSlot, "");
    formSlot.hidden = true;
  }
}

// markViolations marks each BadRequest field violation of err at its
// input; prefix is what the form's names add to the API's field paths
// ("backtest."). It returns the first input marked and the violations
// that name no input.
export function markViolations(form: HTMLFormElement, err: ConnectError, prefix = ""): { first?: HTMLElement; loose: string[] } {
  let first: HTMLElement | undefined;
  const loose: string[] = [];
  for (const v of fieldViolations(err)) {
    const input = inputFor(form, prefix + v.field, prefix);
    if (input) {
      setFieldError(input, v.description);
      first ??= input;
    } else {
      loose.push(`${v.field}: ${v.description}`);
    }
  }
  return { first, loose };
}

// refusalText is the sentence for a form's slot after markViolations.
export function refusalText(err: ConnectError, marked: { first?: HTMLElement; loose: string[] }): string {
  const r = reason(err);
  const head = `Refused (${r || Code[err.code]})`;
  if (marked.first && marked.loose.length === 0) return `${head}: see the marked field.`;
  return `${head}: ${marked.loose.length > 0 ? marked.loose.join("; ") : err.rawMessage}`;
}

// showRefusal puts the API's reasons where they belong: each BadRequest
// field violation at its input, the rest (ErrorInfo reason and message) in
// the form's slot. It focuses the first marked input.
export function showRefusal(form: HTMLFormElement, formSlot: HTMLElement, err: ConnectError): void {
  const marked = markViolations(form, err);
  setText(formSlot, refusalText(err, marked));
  formSlot.hidden = false;
  marked.first?.focus();
}

interface Violation {
  field: string;
  description: string;
}

// fieldViolations reads google.rpc.BadRequest from the readable form
// ("debug") the daemon adds to each detail of a Connect error.
export function fieldViolations(err: ConnectError): Violation[] {
  const out: Violation[] = [];
  for (const d of err.details) {
    if (!("type" in d) || d.type !== "google.rpc.BadRequest") continue;
    const debug = d.debug as { fieldViolations?: unknown } | null | undefined;
    if (!debug || !Array.isArray(debug.fieldViolations)) continue;
    for (const v of debug.fieldViolations as Array<Record<string, unknown>>) {
      if (typeof v?.field === "string") out.push({ field: v.field, description: String(v.description ?? "") });
    }
  }
  return out;
}

// FormIds names a form's elements: base ("start", "backtest") prefixes
// every id, prefix every input's name ("backtest." before the API's path).
export interface FormIds {
  base: string;
  prefix: string;
}

export function idOf(f: FormIds, path: string): string {
  return `${f.base}-${path.replace(/\./g, "-")}`;
}

// strategyFields appends the strategy's select (grid chosen if there is
// one), its description and a fieldset of its parameters, each with its
// default, rebuilt when the choice changes: the Start and Backtest forms'
// one way to offer ListStrategies.
export function strategyFields(parent: HTMLElement, f: FormIds, strategies: StrategyInfo[]): HTMLSelectElement {
  const strategy = el("select");
  for (const s of strategies) strategy.append(el("option", s.name, { value: s.name }));
  const pick = strategies.find((s) => s.name === "grid") ?? strategies[0];
  if (pick) strategy.value = pick.name;
  field(parent, idOf(f, "settings.strategy"), `${f.prefix}settings.strategy`, "Strategy", "", strategy);
  const about = el("p", undefined, { id: `${f.base}-strategy-about`, class: "hint" });
  parent.append(about);
  strategy.setAttribute("aria-describedby", about.id);
  const params = el("fieldset", undefined, { id: `${f.base}-params` });
  parent.append(params);
  const showParams = (): void => {
    const s = strategies.find((x) => x.name === strategy.value);
    setText(about, s?.description ?? "");
    params.replaceChildren(el("legend", s && s.params.length > 0 ? `Parameters of ${s.name}` : "This strategy has no parameters"));
    for (const p of s?.params ?? []) {
      const path = `settings.params.${p.name}`;
      const input = field(params, idOf(f, path), f.prefix + path, p.name, `${p.description} (default ${p.defaultValue})`);
      input.value = p.defaultValue;
      input.setAttribute("placeholder", p.defaultValue);
    }
    markControls();
  };
  strategy.addEventListener("change", showParams);
  showParams();
  return strategy;
}

// paramsOf reads the strategy's parameters, leaving out the empty ones
// (the strategy's default).
export function paramsOf(form: HTMLFormElement, prefix = ""): Record<string, string> {
  const params: Record<string, string> = {};
  const at = `${prefix}settings.params.`;
  for (const c of Array.from(form.querySelectorAll<HTMLInputElement>(`[name^="${CSS.escape(at)}"]`))) {
    if (c.value.trim() !== "") params[c.name.slice(at.length)] = c.value.trim();
  }
  return params;
}

// seedOf reads the uint64 seed at name (empty: 0), or marks the field and
// returns undefined.
export function seedOf(form: HTMLFormElement, name: string): bigint | undefined {
  const text = value(form, name);
  const seed = /^\d{1,20}$/.test(text) ? BigInt(text) : text === "" ? 0n : -1n;
  if (seed >= 0n && seed < 1n << 64n) return seed;
  const c = inputFor(form, name);
  if (c) setFieldError(c, "must be a whole number from 0 to 2^64−1");
  return undefined;
}

// symbolsOf reads the comma-separated symbols at name.
export function symbolsOf(form: HTMLFormElement, name: string): string[] {
  return value(form, name).split(",").map((s) => s.trim()).filter((s) => s !== "");
}

const startIds: FormIds = { base: "start", prefix: "" };

// buildStartForm fills form (the Start form's box) with its fields for
// strategies.
export function buildStartForm(form: HTMLElement, strategies: StrategyInfo[]): void {
  strategyFields(form, startIds, strategies);
  const text = (path: string, label: string, hint: string, value = ""): void => {
    const i = field(form, idOf(startIds, path), path, label, hint) as HTMLInputElement;
    i.value = value;
  };
  text("settings.symbols", "Symbols", "comma-separated, BASE-QUOTE", "BTC-USD");
  text("settings.tick_interval", "Tick interval", "for example 100ms or 1s; empty: 1s");
  text("settings.seed", "Seed", "of the paper market's random walk; empty or 0: the daemon picks one");
  text("settings.starting_cash", "Starting cash", "USD; empty: 100000");
  const risk = el("fieldset");
  risk.append(el("legend", "Risk limits (empty: the daemon's default; 0: off)"));
  form.append(risk);
  for (const [name, hint] of [
    ["max_drawdown", "kill switch: fraction below the starting equity, e.g. 0.2"],
    ["max_trailing_drawdown", "kill switch: fraction below the peak equity"],
    ["max_order_notional", "largest quantity × price of one order, USD"],
    ["max_position", "largest absolute position per symbol, base units"],
  ] as const) {
    // "Risk: ": a strategy may have a parameter of the same name (grid's
    // max_position), and each label must say which input it names.
    field(risk, idOf(startIds, `settings.risk.${name}`), `settings.risk.${name}`, `Risk: ${name}`, hint);
  }
}

export function value(form: HTMLFormElement, name: string): string {
  const c = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${CSS.escape(name)}"]`);
  return c ? c.value.trim() : "";
}

// startRequest reads the form into a StartTrading request (mode PAPER). What
// cannot even be encoded (a seed that is not a whole number, a tick interval
// that is not a duration) is marked at its field here and undefined returned;
// everything else is the daemon's to judge.
export function startRequest(form: HTMLFormElement): StartRequest | undefined {
  let ok = true;
  const tick = value(form, "settings.tick_interval");
  const tickInterval = tick === "" ? undefined : parseDuration(tick);
  if (typeof tickInterval === "string") {
    const c = inputFor(form, "settings.tick_interval");
    if (c) setFieldError(c, tickInterval);
    ok = false;
  }
  const seed = seedOf(form, "settings.seed");
  if (!ok || seed === undefined || typeof tickInterval === "string") return undefined;
  return {
    settings: {
      mode: Mode.PAPER,
      strategy: value(form, "settings.strategy"),
      symbols: symbolsOf(form, "settings.symbols"),
      tickInterval,
      seed,
      startingCash: value(form, "settings.starting_cash"),
      params: paramsOf(form),
      risk: {
        maxDrawdown: value(form, "settings.risk.max_drawdown"),
        maxTrailingDrawdown: value(form, "settings.risk.max_trailing_drawdown"),
        maxOrderNotional: value(form, "settings.risk.max_order_notional"),
        maxPosition: value(form, "settings.risk.max_position"),
      },
    },
  };
}
