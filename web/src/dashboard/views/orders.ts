// Orders and fills of the current (or last) session, live: seeded from
// ListOrders and ListFills, kept up by WatchOrders from the last event
// sequence seen, filtered by symbol and state.
//
// The order stream is open only while this view is on screen (and the tab
// visible). A plaintext loopback daemon speaks HTTP/1.1, where Chrome opens
// at most 6 connections per host: the health stream already holds one per
// tab, and an order stream in every tab whatever its route would halve the
// tabs an operator can keep open before unary calls queue. Leaving costs
// nothing: WatchOrders resumes after the last sequence seen (the daemon reads
// what was missed from its store), and after a long absence the view seeds
// afresh instead, since it keeps only the newest rows anyway.
import { Code, ConnectError } from "@connectrpc/connect";
import { Timestamp } from "@bufbuild/protobuf/wkt";
import { Fill, GetStatusResponse, Order, OrderEvent, OrderSide, WatchOrdersResponse } from "../../gen/trading/v1/trading_pb";
import { api, isUnauthenticated, reason, watch } from "../api";
import { byId, setText } from "../dom";
import { addFill, maxFills, maxOrders, mountTables, reset, shownSession, summary, upsertOrder } from "./ordertables";

// Hidden longer than this, the view seeds afresh rather than replaying
// every event it missed.
const staleMs = 60_000;

let lastSeq = 0n; // the newest event applied: where a reconnect resumes
let seeded = false; // the tables hold a snapshot that events continue
let buffered: OrderEvent[] | undefined; // events that arrived while seeding
let gen = 0; // bumped on every (re)open: a seed from an older one is dropped
let stopWatch: (() => void) | undefined;
let downSince = 0; // when the stream last went away; 0: it is up
// Sessions GetStatus has shown to be over: a late event of one (the stream
// lags behind GetStatus) must not bring its rows back.
const retired = new Set<string>();

export function mount(root: HTMLElement): void {
  mountTables(root);
}

export function show(): void {
  byId("orders-fills").hidden = false;
  if (stopWatch) return;
  stopWatch = watch<WatchOrdersResponse>({
    open,
    onMessage: (m) => {
      const e = m.event;
      if (!e) return;
      if (e.sequence > lastSeq) lastSeq = e.sequence;
      if (buffered) buffered.push(e);
      else apply(e);
    },
    onConnected: () => {},
    onLost: (err) => {
      wentAway();
      // Events were missed and cannot be replayed (the daemon has no
      // store), or the sequence is from another database: start over.
      if (err.code === Code.OutOfRange || reason(err) === "WATCHER_LAGGED") seeded = false;
    },
    onPaused: wentAway,
    onUnauthenticated: () => {
      // The health stream shows the login; this one just ends.
      stopWatch = undefined;
      wentAway();
    },
  });
}

// status: a new session that has sent no order event yet has no rows; the
// old session's go at once, not with the new session's first order.
export function status(st: GetStatusResponse): void {
  const id = st.session?.id ?? st.health?.sessionId ?? "";
  if (id === "" || id === shownSession() || !seeded) return;
  if (shownSession() !== "") retired.add(shownSession());
  reset(id);
  summary(true);
}

export function hide(): void {
  byId("orders-fills").hidden = true;
  stopWatch?.();
  stopWatch = undefined;
  wentAway();
  gen++;
}

function wentAway(): void {
  if (downSince === 0) downSince = performance.now();
}

// open (re)opens the stream: after the last event applied, or, with no
// snapshot to continue (or one too old), from now on with a fresh seed
// read once the daemon has subscribed this stream (its headers arrive):
// every event after the snapshot is then on the stream, and those the
// snapshot already holds are recognised by apply.
function open(signal: AbortSignal): AsyncIterable<WatchOrdersResponse> {
  if (downSince > 0 && performance.now() - downSince > staleMs) seeded = false;
  const g = ++gen;
  const fresh = !seeded || lastSeq === 0n;
  buffered = fresh ? [] : undefined;
  return api.watchOrders(
    { afterSequence: fresh ? 0n : lastSeq },
    {
      signal,
      onHeader: () => {
        downSince = 0;
        if (fresh) void seed(g);
      },
    },
  );
}

async function seed(g: number): Promise<void> {
  try {
    const orders: Order[] = [];
    let id = "";
    let token = "";
    do {
      const r = await api.listOrders({ limit: maxOrders, pageToken: token });
      id = r.sessionId;
      orders.push(...r.orders);
      token = r.nextPageToken;
    } while (token !== "" && g === gen);
    const fills = await listFills(id, orders, g);
    if (g !== gen) return;
    reset(id);
    for (const o of orders) upsertOrder(o);
    for (const f of fills) addFill(f.id, f.seq, f.symbol, f.side, f.fill);
    const queued = buffered ?? [];
    buffered = undefined;
    seeded = true;
    for (const e of queued) apply(e);
    summary(true);
  } catch (e) {
    if (g !== gen || isUnauthenticated(e)) return;
    setText(byId("orders-summary"), `Could not read the orders (${ConnectError.from(e).rawMessage}); retrying…`);
    setTimeout(() => {
      if (g === gen) void seed(g);
    }, 2000);
  }
}

interface SeedFill {
  id: string;
  seq: number; // StoredFill.sequence, or the place in Order.fills: OrderEvent.fill_sequence
  symbol: string;
  side: OrderSide;
  fill: Fill;
}

// listFills reads the session's newest fills, or, from a daemon without a
// store (no ListFills), the fills of the orders listed.
async function listFills(session: string, orders: Order[], g: number): Promise<SeedFill[]> {
  const out: SeedFill[] = [];
  if (session === "") return out; // no session has run: nothing to list
  try {
    let token = "";
    do {
      const r = await api.listFills({ sessionId: session, limit: maxFills, pageToken: token });
      for (const f of r.fills) if (f.fill) out.push({ id: f.clientOrderId, seq: f.sequence, symbol: f.symbol, side: f.side, fill: f.fill });
      token = r.nextPageToken;
    } while (token !== "" && g === gen);
    return out;
  } catch (e) {
    if (!(e instanceof ConnectError && reason(e) === "NO_STORE")) throw e;
  }
  for (const o of orders)
    o.fills.forEach((f, i) => out.push({ id: o.clientOrderId, seq: i + 1, symbol: o.symbol, side: o.side, fill: f }));
  out.sort((a, b) => nanos(a.fill.time) - nanos(b.fill.time));
  return out;
}

function nanos(t: Timestamp | undefined): number {
  return t ? Number(t.seconds) * 1e3 + t.nanos / 1e6 : 0;
}

// apply shows one event. An event of another session starts the tables
// over. An order's row takes the event's state (events come in order, so
// the newest wins); its fill is shown once, however often it is seen (by
// its number, fill_sequence, as the seed's StoredFill.sequence).
function apply(e: OrderEvent): void {
  const o = e.order;
  if (!o || retired.has(o.sessionId)) return;
  if (o.sessionId !== shownSession()) reset(o.sessionId);
  upsertOrder(o);
  if (e.fill) addFill(o.clientOrderId, e.fillSequence, o.symbol, o.side, e.fill);
  summary();
}
