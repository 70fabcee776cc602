// Orders and fills of the current (or last) session, live: seeded from
// ListOrders and ListFills, kept up by the order feed (orderfeed.ts:
// WatchOrders, this tab's own or the leading tab's), filtered by symbol
// and state.
//
// The feed runs only while some tab shows this view on screen. A
// plaintext loopback daemon speaks HTTP/1.1, where Chrome opens at most 6
// connections per host for all tabs. Leaving costs nothing: the feed
// resumes after the last sequence seen (the daemon reads what was missed
// from its store); when it cannot (it restarts from now, or its sequence
// no longer holds), the view seeds afresh, since it keeps only the newest
// rows anyway.
import { ConnectError } from "@connectrpc/connect";
import { Timestamp } from "@bufbuild/protobuf/wkt";
import { Fill, GetStatusResponse, Order, OrderEvent, OrderSide } from "../../gen/trading/v1/trading_pb";
import { api, isUnauthenticated, reason } from "../api";
import { byId } from "../dom";
import * as feed from "../orderfeed";
import { addFill, failed, loaded, maxFills, maxOrders, mountTables, reset, shownSession, summary, upsertOrder } from "./ordertables";

let lastSeq = 0n; // the newest event the tables reflect
let seeded = false; // the tables hold a snapshot that events continue
let buffered: OrderEvent[] | undefined; // events that arrived while seeding
let gen = 0; // bumped on every seed and stop: a seed from an older one is dropped
let shown = false;
// Sessions GetStatus has shown to be over: a late event of one (the stream
// lags behind GetStatus) must not bring its rows back.
const retired = new Set<string>();

export function mount(root: HTMLElement): void {
  mountTables(root);
  feed.subscribe({
    event: (e) => {
      if (buffered) buffered.push(e);
      else if (seeded && e.sequence > lastSeq) {
        lastSeq = e.sequence;
        apply(e);
      }
    },
    up: (after) => {
      // Resumed after an event these tables never had, or from now on:
      // what came between is missing.
      if (seeded && (after === 0n || after > lastSeq)) seeded = false;
      if (!seeded && shown && !buffered) void seed(++gen);
    },
    down: (resetSeq) => {
      // A seed under way may miss what the stream did not bring: it
      // starts again when the stream is back.
      if (buffered) {
        gen++;
        buffered = undefined;
      }
      if (resetSeq) seeded = false;
    },
  });
}

export function show(): void {
  byId("orders-fills").hidden = false;
  shown = true;
  feed.want(true);
  if (!seeded && !buffered && feed.running()) void seed(++gen);
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
  shown = false;
  feed.want(false);
}

// seed reads a snapshot while the feed runs: every event after it is on
// the feed, buffered meanwhile, and those the snapshot already holds are
// recognised by apply.
async function seed(g: number): Promise<void> {
  if (!buffered) {
    buffered = [];
    lastSeq = feed.lastSeen();
  }
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
    for (const e of queued) {
      if (e.sequence <= lastSeq) continue;
      lastSeq = e.sequence;
      apply(e);
    }
    loaded();
  } catch (e) {
    if (g !== gen || isUnauthenticated(e)) return;
    failed(`Could not read the orders (${ConnectError.from(e).rawMessage}); retrying…`);
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
