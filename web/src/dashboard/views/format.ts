// How the Account, History and Backtest views write times, enums and
// durations (reading one is duration.ts's).
import { Duration, Timestamp, durationMs, timestampMs } from "@bufbuild/protobuf/wkt";

// enumName is an enum value's name without its prefix (RUNNING, BUY); a
// value this page does not know yet shows as its number.
export function enumName(e: Record<number, string>, v: number): string {
  return e[v] ?? String(v);
}

export function ms(t: Timestamp | undefined): number {
  return t ? timestampMs(t) : NaN;
}

// when is a time in UTC, to the second: 2026-11-30 12:03:04Z.
export function when(t: Timestamp | undefined): string {
  const v = ms(t);
  return Number.isNaN(v) ? "—" : new Date(v).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

// clock is the time of day in UTC: 12:03:04.
export function clock(unixMs: number): string {
  return new Date(unixMs).toISOString().slice(11, 19);
}

export function durationText(d: Duration | undefined): string {
  if (!d) return "";
  const s = durationMs(d) / 1000;
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}
