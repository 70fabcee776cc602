// The report's data, as internal/report writes it into the page. Money is
// exact decimal text; the page turns it into numbers only to draw.

export interface SummaryRow {
  label: string;
  value: string;
}

export interface Trade {
  time: string; // RFC 3339
  order_id: string;
  symbol: string;
  side: string; // BUY or SELL
  quantity: string;
  price: string;
  fee: string;
  liquidity: string;
  slippage: string;
}

export interface PriceSeries {
  symbol: string;
  // [unix milliseconds, mid price]
  points: [number, string][];
}

// [unix milliseconds, equity, drawdown from the running peak], decimals
// in the quote currency.
export type EquityRow = [number, string, string];

export interface ReportData {
  title: string;
  summary: SummaryRow[];
  // the period the curves were sampled at, and what the page says of it
  every: string;
  downsampled: string;
  equity: EquityRow[];
  prices: PriceSeries[];
  trades: Trade[];
  trades_total: number;
}

// readData parses the JSON block the page carries; nothing else is read.
export function readData(doc: Document): ReportData {
  const el = doc.getElementById("report-data");
  if (!el || !el.textContent) {
    throw new Error("report: no data block");
  }
  return JSON.parse(el.textContent) as ReportData;
}
