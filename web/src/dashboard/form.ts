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
export function inputFor(form: HTMLFormElement, path: string): HTMLInputElement | HTMLSelectElement | undefined {
  const parts = path.replace(/\[([^\]]*)\]/g, ".$1").split(".");
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join(".");
    const c = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${CSS.escape(name)}"]`);
    if (c) return c;
  }
  return undefined;
}

export function setFieldError(input: HTMLInputElement | HTMLSelectElement, message: string): void {
  const e = byId(slot(input.name));
  setText(e, message);
  e.hidden = false;
  input.setAttribute("aria-invalid", "true");
  const hint = input.getAttribute("aria-describedby")?.split(" ").filter((id) => id !== e.id) ?? [];
  input.setAttribute("aria-describedby", [e.id, ...hint].join(" "));
}

// clearErrors removes what the last refusal marked in form and its slot.
export function clearErrors(form: HTMLFormElement, formSlot: HTMLElement): void {
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
  setText(formSlot, "");
  formSlot.hidden = true;
}

// showRefusal puts the API's reasons where they belong: each BadRequest
// field violation at its input, the rest (ErrorInfo reason and message) in
// the form's slot. It focuses the first marked input.
export function showRefusal(form: HTMLFormElement, formSlot: HTMLElement, err: ConnectError): void {
  let first: HTMLElement | undefined;
  const loose: string[] = [];
  for (const v of fieldViolations(err)) {
    const input = inputFor(form, v.field);
    if (input) {
      setFieldError(input, v.description);
      first ??= input;
    } else {
      loose.push(`${v.field}: ${v.description}`);
    }
  }
  const r = reason(err);
  const head = `Refused (${r || Code[err.code]})`;
  const text = first && loose.length === 0 ? `${head}: see the marked field.` : `${head}: ${loose.length > 0 ? loose.join("; ") : err.rawMessage}`;
  setText(formSlot, text);
  formSlot.hidden = false;
  first?.focus();
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

function startId(path: string): string {
  return `start-${path.replace(/\./g, "-")}`;
}

// buildStartForm fills form (the Start form's box) with its fields for
// strategies.
export function buildStartForm(form: HTMLElement, strategies: StrategyInfo[]): void {
  const strategy = el("select");
  for (const s of strategies) strategy.append(el("option", s.name, { value: s.name }));
  const pick = strategies.find((s) => s.name === "grid") ?? strategies[0];
  if (pick) strategy.value = pick.name;
  field(form, startId("settings.strategy"), "settings.strategy", "Strategy", "", strategy);
  const about = el("p", undefined, { id: "start-strategy-about", class: "hint" });
  form.append(about);
  strategy.setAttribute("aria-describedby", about.id);
  const params = el("fieldset", undefined, { id: "start-params" });
  form.append(params);
  const showParams = (): void => {
    const s = strategies.find((x) => x.name === strategy.value);
    setText(about, s?.description ?? "");
    params.replaceChildren(el("legend", s && s.params.length > 0 ? `Parameters of ${s.name}` : "This strategy has no parameters"));
    for (const p of s?.params ?? []) {
      const input = field(params, startId(`settings.params.${p.name}`), `settings.params.${p.name}`, p.name, `${p.description} (default ${p.defaultValue})`);
      input.value = p.defaultValue;
      input.setAttribute("placeholder", p.defaultValue);
    }
    markControls();
  };
  strategy.addEventListener("change", showParams);
  showParams();

  const text = (path: string, label: string, hint: string, value = ""): void => {
    const i = field(form, startId(path), path, label, hint) as HTMLInputElement;
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
    field(risk, startId(`settings.risk.${name}`), `settings.risk.${name}`, name, hint);
  }
}

function value(form: HTMLFormElement, name: string): string {
  const c = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${CSS.escape(name)}"]`);
  return c ? c.value.trim() : "";
}

// startRequest reads the form into a StartTrading request (mode PAPER). What
// cannot even be encoded (a seed that is not a whole number, a tick interval
// that is not a duration) is marked at its field here and undefined returned;
// everything else is the daemon's to judge.
export function startRequest(form: HTMLFormElement): StartRequest | undefined {
  let ok = true;
  const bad = (name: string, message: string): void => {
    const c = inputFor(form, name);
    if (c) setFieldError(c, message);
    ok = false;
  };
  const params: Record<string, string> = {};
  for (const c of Array.from(form.querySelectorAll<HTMLInputElement>('[name^="settings.params."]'))) {
    if (c.value.trim() !== "") params[c.name.slice("settings.params.".length)] = c.value.trim();
  }
  const symbols = value(form, "settings.symbols").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const tick = value(form, "settings.tick_interval");
  const tickInterval = tick === "" ? undefined : parseDuration(tick);
  if (typeof tickInterval === "string") bad("settings.tick_interval", tickInterval);
  const seedText = value(form, "settings.seed");
  if (seedText !== "" && !/^\d{1,20}$/.test(seedText)) bad("settings.seed", "must be a whole number, 0 or more");
  const seed = /^\d{1,20}$/.test(seedText) ? BigInt(seedText) : 0n;
  if (seed >= 1n << 64n) bad("settings.seed", "must be below 2^64");
  if (!ok) return undefined;
  return {
    settings: {
      mode: Mode.PAPER,
      strategy: value(form, "settings.strategy"),
      symbols,
      tickInterval: typeof tickInterval === "string" ? undefined : tickInterval,
      seed,
      startingCash: value(form, "settings.starting_cash"),
      params,
      risk: {
        maxDrawdown: value(form, "settings.risk.max_drawdown"),
        maxTrailingDrawdown: value(form, "settings.risk.max_trailing_drawdown"),
        maxOrderNotional: value(form, "settings.risk.max_order_notional"),
        maxPosition: value(form, "settings.risk.max_position"),
      },
    },
  };
}
