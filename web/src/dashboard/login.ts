// The login form and the logout button. Tabs share the cookie, so a
// login or a logout in one is one in all of them (tabs.ts broadcasts it).
import { login, logout } from "./api";
import { byId, setText } from "./dom";
import * as tabs from "./tabs";

export interface LoginHooks {
  boot(): Promise<void>; // read the daemon: the cookie is set
  refused(message: string): void; // show the login form with this message
  logoutFailed(): void;
}

export function wireLogin(h: LoginHooks): void {
  const form = byId<HTMLFormElement>("login-form");
  const token = byId<HTMLInputElement>("token");
  const submit = byId<HTMLButtonElement>("login-submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = token.value.trim();
    if (t === "") {
      h.refused("Enter the daemon's token.");
      return;
    }
    submit.disabled = true;
    const refused = await login(t);
    submit.disabled = false;
    if (refused) {
      token.setAttribute("aria-invalid", "true");
      h.refused(refused);
      return;
    }
    // The cookie holds it now; the page keeps no copy.
    token.value = "";
    token.removeAttribute("aria-invalid");
    setText(byId("login-error"), "");
    byId("login-error").hidden = true;
    tabs.post({ t: "login" });
    await h.boot();
  });
  byId("logout").addEventListener("click", async () => {
    // Until the daemon has expired the cookie, the browser is still logged
    // in: saying otherwise would leave a live credential behind.
    // Then the page starts over, so no figure of the session stays in it,
    // and so do the other tabs (they share the cookie).
    if (await logout()) {
      tabs.post({ t: "logout" });
      location.reload();
    } else h.logoutFailed();
  });
}
