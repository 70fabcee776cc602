// Durations as the operator types them ("100ms", "1.5s", "5m", "1m30s", the
// forms Go's time.ParseDuration reads) into google.protobuf.Duration, in
// integer nanoseconds throughout: a float would turn "0.1s" into
// 99999999 ns, and the daemon checks tick intervals against exact bounds.
import { Duration, DurationSchema } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";

const unitNanos: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "µs": 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const nanosPerSecond = 1_000_000_000n;

// The daemon bounds every duration far below this (a year); refusing more
// here keeps the seconds field inside what the proto allows.
const maxNanos = 315_576_000_000n * nanosPerSecond;

const part = /^(\d+)(?:\.(\d*))?(ns|us|µs|ms|s|m|h)/;

// parseDuration returns the Duration, or a sentence saying why text is not
// one. "0" alone is zero, as in Go; any other number needs its unit.
export function parseDuration(text: string): Duration | string {
  let rest = text.trim();
  if (rest === "0") return create(DurationSchema, {});
  if (rest === "") return "is empty";
  let total = 0n;
  while (rest !== "") {
    const m = part.exec(rest);
    if (!m) return `${JSON.stringify(text)} is not a duration such as 100ms, 1.5s or 5m`;
    const unit = unitNanos[m[3]!]!;
    const frac = m[2] ?? "";
    const scale = 10n ** BigInt(frac.length);
    const scaled = BigInt(m[1]!) * scale + (frac === "" ? 0n : BigInt(frac));
    if ((scaled * unit) % scale !== 0n) return `${JSON.stringify(text)} is finer than a nanosecond`;
    total += (scaled * unit) / scale;
    if (total > maxNanos) return `${JSON.stringify(text)} is too long`;
    rest = rest.slice(m[0].length);
  }
  return create(DurationSchema, { seconds: total / nanosPerSecond, nanos: Number(total % nanosPerSecond) });
}

// parseSeconds reads a number of seconds ("10", "2.5") exactly.
export function parseSeconds(text: string): Duration | string {
  const t = text.trim();
  if (!/^\d+(\.\d*)?$/.test(t)) return `${JSON.stringify(text)} is not a number of seconds`;
  return parseDuration(t === "0" ? t : `${t}s`);
}
