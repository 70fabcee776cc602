// A form's inputs named by API field paths, and the refusal's BadRequest
// shown next to them: each violation in the slot #err-<path with dots as
// dashes>, the input marked aria-invalid and described by it.
import { ConnectError } from "@connectrpc/connect";
import { setText } from "../dom";

export function errorSlot(path: string): string {
  return `err-${path.replace(/\./g, "-")}`;
}

export interface Violation {
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

// markField shows message at the input path names, or at its nearest named
// ancestor ("settings.params[fast]" is the input settings.params.fast,
// "settings.symbols[0]" the input settings.symbols). It returns false if
// the form has no such input.
export function markField(form: HTMLFormElement, path: string, message: string, focus = false): boolean {
  const parts = path.replace(/\[([^\]]*)\]/g, ".$1").split(".");
  for (let n = parts.length; n > 0; n--) {
    const input = form.querySelector<HTMLElement>(`[name="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    const slot = input && document.getElementById(errorSlot(input.getAttribute("name")!));
    if (!input || !slot) continue;
    setText(slot, slot.textContent ? `${slot.textContent}; ${message}` : message);
    slot.hidden = false;
    input.setAttribute("aria-invalid", "true");
    const rest = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && id !== slot.id);
    input.setAttribute("aria-describedby", [slot.id, ...rest].join(" "));
    if (focus) input.focus();
    return true;
  }
  return false;
}

// clearFields removes every mark markField left in form.
export function clearFields(form: HTMLFormElement): void {
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
}
