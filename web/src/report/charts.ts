// The charts of the backtest report, shared with the dashboard (its
// Account, History and Backtest views): one look for every equity curve.
import {
  BaselineSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  IChartApi,
  ISeriesApi,
  LineSeries,
  LineData,
  SeriesMarker,
  SeriesType,
  Time,
  UTCTimestamp,
} from "lightweight-charts";
import { EquityRow, PriceSeries, Trade } from "./data";

const chartOptions = {
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: "#ffffff" },
    textColor: "#1f2933",
    attributionLogo: true,
  },
  grid: { vertLines: { color: "#eef1f4" }, horzLines: { color: "#eef1f4" } },
  timeScale: { timeVisible: true, secondsVisible: true },
} as const;

// chartIn creates a chart in el. The library marks its attribution logo
// (kept: its license asks for it) with one fixed id, a duplicate as soon as
// a page has two charts, and makes the logo anew when it redraws it: each
// one's id becomes a class as it comes, which the page's CSS styles as the
// library's own rule did.
let logoIds = 0;

function chartIn(el: HTMLElement): IChartApi {
  const rename = (): void => {
    for (const a of Array.from(el.querySelectorAll("a#tv-attr-logo"))) {
      a.removeAttribute("id");
      a.classList.add("tv-attr-logo");
      // The logo's SVG clips by <clipPath id="a">, the same in every logo.
      for (const c of Array.from(a.querySelectorAll("[id]"))) {
        const id = `tv-attr-${c.id}-${++logoIds}`;
        for (const u of Array.from(a.querySelectorAll(`[clip-path="url(#${CSS.escape(c.id)})"]`))) u.setAttribute("clip-path", `url(#${id})`);
        c.id = id;
      }
    }
  };
  // Observing el only: the observer goes with it when the chart is removed.
  new MutationObserver(rename).observe(el, { childList: true, subtree: true });
  const chart = createChart(el, chartOptions);
  rename();
  return chart;
}

// seconds turns unix milliseconds into the chart's time (fractional
// seconds keep sub-second events apart).
export function seconds(ms: number): UTCTimestamp {
  return (ms / 1000) as UTCTimestamp;
}

// ascending keeps one point per time, the last, in time order: the chart
// refuses data that is not strictly ascending.
export function ascending(points: LineData<Time>[]): LineData<Time>[] {
  points.sort((a, b) => (a.time as number) - (b.time as number));
  const out: LineData<Time>[] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (last && last.time === p.time) {
      out[out.length - 1] = p;
    } else {
      out.push(p);
    }
  }
  return out;
}

const equityStyle = { color: "#2962ff", lineWidth: 2, title: "equity" } as const;
// A baseline at zero, filled between it and the curve: an area series fills
// down to the pane's bottom, so a drawdown of zero drew as a full red block
// and a deeper one as a smaller one.
const drawdownStyle = {
  baseValue: { type: "price", price: 0 },
  topLineColor: "#d64545",
  topFillColor1: "rgba(214,69,69,0)",
  topFillColor2: "rgba(214,69,69,0)",
  bottomLineColor: "#d64545",
  bottomFillColor1: "rgba(214,69,69,0.05)",
  bottomFillColor2: "rgba(214,69,69,0.4)",
  lineWidth: 1,
  title: "drawdown",
} as const;

// drawEquity draws equity over its drawdown (shown below zero) in two panes
// of one chart: the report's layout, and History's.
export function drawEquity(el: HTMLElement, rows: EquityRow[]): IChartApi {
  const chart = chartIn(el);
  const equity = chart.addSeries(LineSeries, equityStyle, 0);
  equity.setData(ascending(rows.map(([t, e]) => ({ time: seconds(t), value: Number(e) }))));
  const drawdown = chart.addSeries(BaselineSeries, drawdownStyle, 1);
  drawdown.setData(ascending(rows.map(([t, , dd]) => ({ time: seconds(t), value: -Number(dd) }))));
  chart.timeScale().fitContent();
  return chart;
}

// LiveLine is one series in a chart of its own that grows as points come:
// the Account view's equity and drawdown.
export interface LiveLine {
  chart: IChartApi;
  // setData replaces every point (times ascending, one per second).
  setData(points: LineData<Time>[]): void;
  // update appends a point, or replaces the last one if it has the same
  // time; it must not be older than the last.
  update(point: LineData<Time>): void;
  // fit shows every point.
  fit(): void;
}

export function liveLine(el: HTMLElement, kind: "equity" | "drawdown"): LiveLine {
  const chart = chartIn(el);
  const series: ISeriesApi<SeriesType> =
    kind === "equity" ? chart.addSeries(LineSeries, equityStyle) : chart.addSeries(BaselineSeries, drawdownStyle);
  return {
    chart,
    setData(points) {
      series.setData(points);
      chart.timeScale().fitContent();
    },
    update(point) {
      series.update(point);
    },
    fit() {
      chart.timeScale().fitContent();
    },
  };
}

// drawPrice draws one symbol's price with its trades marked. A fill's own
// price joins the line at its time, so that every marker sits on a point.
// It returns the chart and the number of markers drawn.
export function drawPrice(el: HTMLElement, series: PriceSeries, trades: Trade[]): { chart: IChartApi; markers: number } {
  const chart = chartIn(el);
  // Every trade adds a point: at the library's least spacing (0.5 px) an
  // hour of a busy grid no longer fits, and fitContent showed only its
  // last half hour.
  chart.timeScale().applyOptions({ minBarSpacing: 0.001 });
  const line = chart.addSeries(LineSeries, { color: "#52606d", lineWidth: 1, title: series.symbol });
  const points: LineData<Time>[] = series.points.map(([t, p]) => ({ time: seconds(t), value: Number(p) }));
  const markers: SeriesMarker<Time>[] = [];
  for (const tr of trades) {
    const time = seconds(Date.parse(tr.time));
    points.push({ time, value: Number(tr.price) });
    const buy = tr.side.toUpperCase() === "BUY";
    markers.push({
      time,
      position: buy ? "belowBar" : "aboveBar",
      shape: buy ? "arrowUp" : "arrowDown",
      color: buy ? "#1f9d55" : "#d64545",
      text: "",
      id: tr.order_id,
    });
  }
  line.setData(ascending(points));
  markers.sort((a, b) => (a.time as number) - (b.time as number));
  const plugin = createSeriesMarkers(line, markers);
  chart.timeScale().fitContent();
  return { chart, markers: plugin.markers().length };
}
