// The tabs of one dashboard share the daemon's streams. Over plain HTTP
// (the loopback default) the browser keeps at most 6 connections to the
// daemon for all its tabs; a stream holds one for as long as it is open,
// so streams per tab would leave the tabs' other calls (a stop) waiting in
// the browser's queue once a few tabs are open.
//
// So one tab, the leader, holds the streams (WatchHealth, and WatchOrders
// while some tab shows Orders) and broadcasts every message on a
// BroadcastChannel; the others render what they receive and open none.
// The leader is whichever tab holds a Web Lock: the browser grants it to
// one tab of the origin (locks and channels are scoped to the origin) and
// hands it to the next waiting tab when the leader closes, crashes or
// resigns (logs out), with no timer involved.
//
// A hidden leader keeps the lock and its streams. Tabs closed their
// streams while hidden only to spare connections; one leader holds one or
// two whatever the number of tabs, and handing over at every tab switch
// would replay the order stream and drop the health stream each time.
// Chrome throttles a hidden tab's timers, not its fetch streams or channel
// messages, so a hidden leader relays messages as they come; its timers
// (reconnect backoff) may run up to a second late, or a minute after 5
// minutes hidden. A leader that stops relaying (frozen, or silent that
// long) loses the lock to a tab on screen (below: beat, steal, freeze).
//
// Where the page cannot share (no navigator.locks: plain HTTP off
// loopback is no secure context; or no BroadcastChannel), every tab keeps
// its own streams and closes them while hidden, as before.

export type Msg =
  | { t: "who" } // a tab joined or took the lead: say what you show; the leader says what it knows
  | { t: "shows"; tab: string; orders: boolean } // whether a tab shows Orders (on screen)
  | { t: "bye"; tab: string } // a tab closes
  | { t: "beat" } // the leader runs (every beatMs)
  | { t: "health"; b: Uint8Array } // a WatchHealthResponse
  | { t: "conn"; state: string; text: string } // the leader's #conn-status
  | { t: "status"; b: Uint8Array; asked: number; answer?: boolean } // a GetStatusResponse asked at (epoch ms); answer: a control's
  | { t: "orders"; b: Uint8Array } // an OrderEvent
  | { t: "orders-up"; after: bigint } // the order stream runs: every event after `after` follows (0: from now on)
  | { t: "orders-down"; reset: boolean } // it stopped; reset: its sequence numbers no longer hold
  | { t: "login" } // a tab logged in: the others read the daemon too
  | { t: "logout" } // a tab logged out: the others clear their page
  | { t: "signed-out"; text: string }; // the daemon refused the cookie

const locks = (navigator as { locks?: LockManager }).locks;
const chan = locks && typeof BroadcastChannel === "function" ? new BroadcastChannel("tradectl-dashboard") : undefined;

// shared: this tab takes part (else it keeps its own streams).
export const shared = chan !== undefined;

// tabId names this tab in "shows" and "bye" (not a secret; no
// crypto.randomUUID, which plain HTTP off loopback lacks).
export const tabId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

const handlers: ((m: Msg) => void)[] = [];
chan?.addEventListener("message", (ev: MessageEvent<Msg>) => {
  for (const h of handlers) h(ev.data);
});

// post sends m to every other tab of the page (never to this one).
export function post(m: Msg): void {
  chan?.postMessage(m);
}

export function on(h: (m: Msg) => void): void {
  handlers.push(h);
}

let leading = false;

// html[data-streams]: what this tab does with the streams, for tests and
// for a person wondering which tab reads the daemon: leader, follower, or
// own (it cannot share).
function mark(): void {
  document.documentElement.dataset.streams = !shared ? "own" : leading ? "leader" : "follower";
}
mark();

export function isLeader(): boolean {
  return leading;
}

// A leader that stops relaying (the browser froze it: Chrome freezes
// background tabs, and throttles a hidden tab's timers to once a minute
// after 5 minutes) would leave the tabs on screen showing old figures as
// live, and keep the lock from every other tab. So the leader beats every
// beatMs, and a follower on screen that hears nothing of the leader for
// silentMs takes the lock from it (steal); the old leader, if it runs
// again, learns it lost the lock, stops its streams and waits in line. A
// leader told it is about to be frozen (freeze) hands over at once.
const beatMs = 2000;
const silentMs = 6000;
const fromLeader: ReadonlySet<Msg["t"]> = new Set<Msg["t"]>(["beat", "health", "conn", "orders", "orders-up", "orders-down"]);
let heardAt = performance.now(); // when (performance.now()) the leader was last heard
chan?.addEventListener("message", (ev: MessageEvent<Msg>) => {
  if (fromLeader.has(ev.data.t)) heardAt = performance.now();
});

// lead waits for the lock; while this tab holds it, start's streams run.
// The returned function resigns: it stops them (start's returned
// function) and lets the next tab lead, or withdraws from the queue.
export function lead(start: () => () => void): () => void {
  let resigned = false;
  let release: (() => void) | undefined;
  let withdraw: (() => void) | undefined;
  // ask queues for the lock, or takes it from the tab holding it (steal).
  const ask = (steal: boolean): void => {
    withdraw?.();
    const ac = new AbortController();
    let mine: (() => void) | undefined; // resigns this grant
    withdraw = () => ac.abort();
    locks!
      .request("tradectl-dashboard-streams", steal ? { steal: true } : { signal: ac.signal }, () =>
        new Promise<void>((resolve) => {
          if (resigned) return resolve();
          withdraw = undefined;
          leading = true;
          mark();
          const stop = start();
          const beat = setInterval(() => post({ t: "beat" }), beatMs);
          mine = release = () => {
            mine = release = undefined;
            clearInterval(beat);
            heardAt = performance.now(); // the next leader has silentMs to speak
            leading = false;
            mark();
            stop();
            resolve();
          };
        }),
      )
      .catch(() => {
        // AbortError: withdrawn from the queue, or another tab took the
        // lock (steal): stop the streams before anything more is relayed,
        // and wait in line again.
        if (!mine) return;
        mine();
        if (!resigned) ask(false);
      });
  };
  ask(false);
  heardAt = performance.now();
  const watchdog = setInterval(() => {
    if (!leading && document.visibilityState === "visible" && performance.now() - heardAt > silentMs) {
      heardAt = performance.now();
      ask(true);
    }
  }, 1000);
  const onFreeze = (): void => {
    if (!release) return;
    release();
    ask(false);
  };
  // Thawed: what was said meanwhile is on its way; give it time to come.
  const onResume = (): void => {
    heardAt = performance.now();
  };
  document.addEventListener("freeze", onFreeze);
  document.addEventListener("resume", onResume);
  return () => {
    resigned = true;
    clearInterval(watchdog);
    document.removeEventListener("freeze", onFreeze);
    document.removeEventListener("resume", onResume);
    withdraw?.();
    withdraw = undefined;
    release?.();
  };
}

// epochMs is a time every tab of the page reads alike (performance.now()
// counts from each tab's own start).
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
