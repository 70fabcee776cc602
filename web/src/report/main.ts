// The backtest report: one self-contained page drawn from the JSON block
// tradectl wrote into it. It fetches nothing.
import "./report.css";
import { readData } from "./data";
import { renderReport } from "./render";

function render(): void {
  const drawn = renderReport(document.getElementById("report")!, readData(document));
  document.documentElement.dataset.markers = String(drawn.markers);
  document.documentElement.dataset.rendered = "true";
}

render();
