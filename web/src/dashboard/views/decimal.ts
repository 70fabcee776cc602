// Exact arithmetic on the API's decimal strings ("100012.5", "-0.25"),
// for the few figures the page derives itself (a drawdown from the running
// peak, a session's PnL): a Number would round them.

interface Dec {
  n: bigint; // the value times 10^scale
  scale: number;
}

const decimal = /^([+-]?)(\d*)(?:\.(\d*))?$/;

function parse(s: string): Dec | undefined {
  const m = decimal.exec(s.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const frac = m[3] ?? "";
  const n = BigInt((m[2] || "0") + frac);
  return { n: m[1] === "-" ? -n : n, scale: frac.length };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.n * 10n ** BigInt(scale - a.scale), b.n * 10n ** BigInt(scale - b.scale), scale];
}

function format(n: bigint, scale: number): string {
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString().padStart(scale + 1, "0");
  if (scale > 0) {
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, "");
  }
  return (neg && digits !== "0" ? "-" : "") + digits;
}

// sub returns a − b, or "" if either is not a decimal.
export function sub(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return "";
  const [p, q, scale] = align(x, y);
  return format(p - q, scale);
}

// add returns a + b, or "" if either is not a decimal.
export function add(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return "";
  const [p, q, scale] = align(x, y);
  return format(p + q, scale);
}

// cmp orders two decimals (a non-decimal counts as less than any).
export function cmp(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return x ? 1 : y ? -1 : 0;
  const [p, q] = align(x, y);
  return p < q ? -1 : p > q ? 1 : 0;
}
