// This tab's feed of order events (WatchOrders): from its own stream when
// it leads (tabs.ts) or cannot share, else from the leader's broadcasts.
// The leader keeps the stream open while any tab shows Orders on screen
// (tabs announce it) and resumes it after the newest sequence any tab saw:
// every tab tracks it from the broadcasts, so a new leader picks up where
// the last one stopped and the daemon replays the gap from its store.
import { Code } from "@connectrpc/connect";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { OrderEvent, OrderEventSchema, WatchOrdersResponse } from "../gen/trading/v1/trading_pb";
import { api, reason, watch } from "./api";
import * as tabs from "./tabs";

// What the Orders view is told.
export interface Sink {
  // event: each event once, in order, sequence increasing.
  event(e: OrderEvent): void;
  // up: the stream runs; every event after `after` follows (0n: only
  // events from now on).
  up(after: bigint): void;
  // down: it stopped; reset: its sequence numbers no longer hold (another
  // database, or events the daemon could not replay).
  down(reset: boolean): void;
}

// Down longer than this, the stream restarts from now (the views seed
// afresh) rather than replaying every event missed.
const staleMs = 60_000;

let sink: Sink | undefined;
let last = 0n; // the newest sequence seen
let upAfter: bigint | undefined; // the stream runs, resumed after this
let downSince = 0; // epoch ms the stream stopped; 0: running or never ran
let wanted = false; // this tab's Orders view is open
let leading = false;
// The leader's: tabs showing Orders, with when (performance.now()) each
// last said so. A tab that crashes or freezes says no "bye": every tab
// repeats what it shows at each of the leader's beats, and one silent for
// forgetMs is forgotten, or the stream would stay open for nobody.
const wanting = new Map<string, number>();
const forgetMs = 7000;
let forgetting: ReturnType<typeof setInterval> | undefined;
let stopWatch: (() => void) | undefined;

export function subscribe(s: Sink): void {
  sink = s;
}

// running: the stream is up (a view may seed now: what follows is on it).
export function running(): boolean {
  return upAfter !== undefined;
}

export function lastSeen(): bigint {
  return last;
}

// want: this tab's Orders view opened (true) or closed.
export function want(on: boolean): void {
  wanted = on;
  announce();
}

// Shared, a tab shows Orders only while it is on screen; alone, the
// tab's own stream pauses while hidden (api.ts watch).
function showing(): boolean {
  return wanted && (!tabs.shared || document.visibilityState === "visible");
}

function announce(): void {
  if (tabs.shared) tabs.post({ t: "shows", tab: tabs.tabId, orders: showing() });
  if (leading) mark(tabs.tabId, showing());
  update();
}

function mark(tab: string, on: boolean): void {
  // This tab's own word stands until it changes.
  if (on) wanting.set(tab, tab === tabs.tabId ? Infinity : performance.now());
  else wanting.delete(tab);
}

function forget(): void {
  for (const [tab, at] of wanting) if (performance.now() - at > forgetMs) wanting.delete(tab);
  update();
}

// lead: this tab took the lead; the returned function resigns.
export function lead(): () => void {
  leading = true;
  wanting.clear();
  mark(tabs.tabId, showing());
  update();
  forgetting = setInterval(forget, 1000);
  return () => {
    leading = false;
    clearInterval(forgetting);
    wanting.clear();
    update();
  };
}

function update(): void {
  const need = tabs.shared ? leading && wanting.size > 0 : wanted;
  if (need && !stopWatch) stopWatch = open();
  else if (!need && stopWatch) {
    stopWatch();
    stopWatch = undefined;
    stopped(false);
  }
  // For tests and the curious: whether this tab holds the order stream.
  document.documentElement.dataset.orderStream = stopWatch ? "open" : "closed";
}

function deliver(e: OrderEvent): void {
  if (e.sequence <= last) return; // a new leader's replay of what was seen
  last = e.sequence;
  sink?.event(e);
}

function started(after: bigint): void {
  upAfter = after;
  downSince = 0;
  sink?.up(after);
}

function stopped(reset: boolean): void {
  if (upAfter === undefined && !reset) return;
  upAfter = undefined;
  if (downSince === 0) downSince = tabs.epochMs();
  if (reset) last = 0n;
  sink?.down(reset);
  if (leading) tabs.post({ t: "orders-down", reset });
}

function open(): () => void {
  return watch<WatchOrdersResponse>({
    keepWhileHidden: tabs.shared,
    open: (signal) => {
      if (downSince > 0 && tabs.epochMs() - downSince > staleMs) last = 0n;
      const after = last;
      return api.watchOrders(
        { afterSequence: after },
        {
          signal,
          // The daemon has subscribed the stream: what follows is on it.
          onHeader: () => {
            started(after);
            if (leading) tabs.post({ t: "orders-up", after });
          },
        },
      );
    },
    onMessage: (m) => {
      if (!m.event) return;
      deliver(m.event);
      if (leading) tabs.post({ t: "orders", b: toBinary(OrderEventSchema, m.event) });
    },
    onConnected: () => {},
    // Events were missed and cannot be replayed (the daemon has no store),
    // or the sequence is from another database: start over.
    onLost: (err) => stopped(err.code === Code.OutOfRange || reason(err) === "WATCHER_LAGGED"),
    onPaused: () => stopped(false),
    onUnauthenticated: () => {
      // The health stream shows the login; this one just ends.
      stopWatch = undefined;
      stopped(false);
    },
  });
}

if (tabs.shared) {
  document.addEventListener("visibilitychange", announce);
  window.addEventListener("pagehide", () => tabs.post({ t: "bye", tab: tabs.tabId }));
  tabs.on((m) => {
    switch (m.t) {
      case "beat":
        if (showing()) tabs.post({ t: "shows", tab: tabs.tabId, orders: true });
        break;
      case "who":
        tabs.post({ t: "shows", tab: tabs.tabId, orders: showing() });
        if (leading && upAfter !== undefined) tabs.post({ t: "orders-up", after: upAfter });
        break;
      case "shows":
      case "bye":
        if (!leading) break;
        mark(m.tab, m.t === "shows" && m.orders);
        update();
        break;
      case "orders":
        if (!leading) deliver(fromBinary(OrderEventSchema, m.b));
        break;
      case "orders-up":
        if (!leading) started(m.after);
        break;
      case "orders-down":
        if (!leading) stopped(m.reset);
        break;
    }
  });
}
