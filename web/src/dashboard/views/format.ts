// How the Account, History and Backtest views write times, enums and
// durations.
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

const unit: Record<string, number> = { h: 3600e9, m: 60e9, s: 1e9, ms: 1e6, us: 1e3, "µs": 1e3, ns: 1 };

// parseDuration reads a Go duration ("1h", "90m", "1h30m", "500ms") into
// a Duration, or undefined if it is not one or is not positive.
export function parseDuration(text: string): { seconds: bigint; nanos: number } | undefined {
  const s = text.trim();
  const part = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/y;
  let nanos = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) return undefined;
    nanos += Number(m[1]) * unit[m[2]!]!;
    at = part.lastIndex;
  }
  if (s === "" || !(nanos > 0) || !Number.isSafeInteger(Math.round(nanos))) return undefined;
  const n = BigInt(Math.round(nanos));
  return { seconds: n / 1_000_000_000n, nanos: Number(n % 1_000_000_000n) };
}
