// Small DOM helpers. Everything the page shows goes through textContent,
// never innerHTML: values come from the daemon and are never markup.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  attrs?: Record<string, string>,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  return e;
}

// fact adds one <dt>/<dd> pair to dl, its <dd> (id) empty until a view
// fills it.
export function fact(dl: HTMLDListElement, label: string, id: string): void {
  dl.append(el("dt", label), el("dd", "—", { id }));
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e as T;
}

// setText writes only on change, so assistive technology watching a live
// region is not told about a value that stayed the same.
export function setText(e: HTMLElement, text: string): void {
  if (e.textContent !== text) e.textContent = text;
}

// markControls lists the ids of the controls a keyboard user can reach in
// what is visible now (html[data-controls]): the browser tests Tab through
// the page and expect to land on each of them.
export function markControls(): void {
  const ids: string[] = [];
  for (const c of Array.from(document.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea"))) {
    if (c.id && c.getClientRects().length > 0 && !c.hasAttribute("disabled")) ids.push(c.id);
  }
  document.documentElement.dataset.controls = ids.join(" ");
}
