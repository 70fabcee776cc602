import {
  AreaSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  IChartApi,
  LineSeries,
  LineData,
  SeriesMarker,
  Time,
  UTCTimestamp,
} from "lightweight-charts";
import { PriceSeries, ReportData, Trade } from "./data";

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

// seconds turns unix milliseconds into the chart's time (fractional
// seconds keep sub-second events apart).
function seconds(ms: number): UTCTimestamp {
  return (ms / 1000) as UTCTimestamp;
}

// ascending keeps one point per time, the last, in time order: the chart
// refuses data that is not strictly ascending.
function ascending(points: LineData<Time>[]): LineData<Time>[] {
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

export function drawEquity(el: HTMLElement, data: ReportData): IChartApi {
  const chart = createChart(el, chartOptions);
  const equity = chart.addSeries(LineSeries, { color: "#2962ff", lineWidth: 2, title: "equity" }, 0);
  equity.setData(data.equity.map(([t, e]) => ({ time: seconds(t), value: Number(e) })));
  const drawdown = chart.addSeries(
    AreaSeries,
    { lineColor: "#d64545", topColor: "rgba(214,69,69,0.05)", bottomColor: "rgba(214,69,69,0.4)", lineWidth: 1, title: "drawdown" },
    1,
  );
  drawdown.setData(data.equity.map(([t, , dd]) => ({ time: seconds(t), value: -Number(dd) })));
  chart.timeScale().fitContent();
  return chart;
}

// drawPrice draws one symbol's price with its trades marked. A fill's own
// price joins the line at its time, so that every marker sits on a point.
// It returns the number of markers drawn.
export function drawPrice(el: HTMLElement, series: PriceSeries, trades: Trade[]): number {
  const chart = createChart(el, chartOptions);
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
  return plugin.markers().length;
}
