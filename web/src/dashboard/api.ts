// The dashboard's one way to the daemon: TradingService over the Connect
// protocol (binary, so the daemon passes protobuf through untranscoded), on
// this page's own origin. The token is never held here: /auth/login turns it
// into an HttpOnly cookie that the browser sends and scripts cannot read.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { TradingService } from "../gen/trading/v1/trading_pb";

const transport = createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true });
export const api = createClient(TradingService, transport);

export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unauthenticated;
}

// reason is the API's ErrorInfo reason (TOKEN_INVALID, RATE_LIMITED, ...)
// when the daemon sent one: Connect errors are JSON, and the daemon adds a
// readable form ("debug") of each detail beside its bytes.
export function reason(err: ConnectError): string {
  for (const d of err.details) {
    if ("type" in d && d.type === "google.rpc.ErrorInfo" && isObject(d.debug) && typeof d.debug.reason === "string") {
      return d.debug.reason;
    }
  }
  return "";
}

// metadata is one entry of the ErrorInfo's metadata (SESSION_INTERRUPTED's
// session_id), or "".
export function metadata(err: ConnectError, key: string): string {
  for (const d of err.details) {
    if ("type" in d && d.type === "google.rpc.ErrorInfo" && isObject(d.debug) && isObject(d.debug.metadata)) {
      const v = d.debug.metadata[key];
      if (typeof v === "string") return v;
    }
  }
  return "";
}

// retryAfterMs reads google.rpc.RetryInfo ("0.499s") from a rate-limit
// refusal, or 0 if there is none.
function retryAfterMs(err: ConnectError): number {
  for (const d of err.details) {
    if ("type" in d && d.type === "google.rpc.RetryInfo" && isObject(d.debug) && typeof d.debug.retryDelay === "string") {
      const s = parseFloat(d.debug.retryDelay);
      if (s > 0) return s * 1000;
    }
  }
  return 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// login sends the token in a POST body (never a URL) and returns "" on
// success or the daemon's reason for refusing it.
export async function login(token: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch("/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    return "Cannot reach the daemon.";
  }
  if (res.ok) return "";
  // The daemon answers a refused login with the Connect error GetStatus got.
  try {
    const body: unknown = await res.json();
    if (isObject(body) && typeof body.message === "string" && body.message !== "") {
      return `The daemon refused the login: ${body.message}`;
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `The daemon refused the login (HTTP ${res.status}).`;
}

// logout asks the daemon to expire the cookie (scripts cannot: it is
// HttpOnly) and says whether it did.
export async function logout(): Promise<boolean> {
  try {
    const res = await fetch("/auth/logout", { method: "POST", credentials: "same-origin", cache: "no-store" });
    return res.ok;
  } catch {
    return false;
  }
}

// Backoff between reconnection attempts: full jitter over an exponential
// ceiling from 0.5 s to 5 s, so that tabs reopened by one daemon restart do
// not all come back in the same instant.
const backoffBaseMs = 500;
const backoffMaxMs = 5000;

export function backoffMs(attempt: number): number {
  const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** attempt);
  return Math.max(backoffBaseMs / 2, Math.random() * ceiling);
}

export interface Watch<T> {
  // open starts the stream; the signal ends it.
  open(signal: AbortSignal): AsyncIterable<T>;
  onMessage(m: T): void;
  // onConnected: the first message after a (re)start arrived; reconnected is
  // true if the stream was lost before.
  onConnected(reconnected: boolean): void;
  onLost(err: ConnectError, retryInMs: number): void;
  onPaused(): void;
  onUnauthenticated(): void;
  // keepWhileHidden: the stream stays open while the tab is hidden (the
  // one tab that holds the streams for every tab of the page: tabs.ts).
  keepWhileHidden?: boolean;
}

// watch keeps a server stream open for as long as the page is visible: it
// reopens a lost stream after a backoff, closes it while the tab is hidden
// (a plaintext loopback daemon speaks HTTP/1.1, and Chrome allows 6
// connections per host: long streams in hidden tabs would starve the rest),
// and gives up only on a refused token. The returned function stops it.
export function watch<T>(w: Watch<T>): () => void {
  let stopped = false;
  let current: AbortController | undefined;
  let wake: (() => void) | undefined;
  const hiddenNow = (): boolean => !w.keepWhileHidden && document.visibilityState === "hidden";
  const onVisibility = (): void => {
    if (hiddenNow()) current?.abort();
    wake?.();
  };
  document.addEventListener("visibilitychange", onVisibility);
  const stop = (): void => {
    stopped = true;
    document.removeEventListener("visibilitychange", onVisibility);
    current?.abort();
    wake?.();
  };
  // pause waits for ms, or until the tab becomes visible or the watch stops.
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = ms > 0 ? setTimeout(done, ms) : undefined;
      function done(): void {
        if (t !== undefined) clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = () => {
        if (stopped || (ms === 0 && !hiddenNow())) done();
      };
    });

  void (async () => {
    let attempt = 0;
    let lost = false;
    while (!stopped) {
      if (hiddenNow()) {
        w.onPaused();
        await pause(0);
        continue;
      }
      const ac = new AbortController();
      current = ac;
      let err: ConnectError;
      try {
        let first = true;
        for await (const m of w.open(ac.signal)) {
          if (first) {
            first = false;
            attempt = 0;
            w.onConnected(lost);
            lost = false;
          }
          w.onMessage(m);
        }
        // The daemon ended the stream (it is shutting down): reconnect.
        err = new ConnectError("the daemon closed the stream", Code.Unavailable);
      } catch (e) {
        err = ConnectError.from(e);
      }
      if (stopped || ac.signal.aborted) continue;
      if (err.code === Code.Unauthenticated) {
        stop();
        w.onUnauthenticated();
        return;
      }
      lost = true;
      const delay = Math.max(backoffMs(attempt++), err.code === Code.ResourceExhausted ? retryAfterMs(err) : 0);
      w.onLost(err, delay);
      await pause(delay);
    }
  })();
  return stop;
}
