// Builds the browser bundles where Go embeds them: the backtest report's
// into internal/report/assets, the dashboard's (with its index.html) into
// server/internal/web/assets. The output must be the same bytes on every
// machine: versions are pinned in package-lock.json and nothing time- or
// path-dependent is written (make check-web compares them with the
// committed ones).
import { copyFile, mkdir } from "node:fs/promises";
import * as esbuild from "esbuild";

const common = {
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  platform: "browser",
  legalComments: "eof",
  sourcemap: false,
  charset: "utf8",
  logLevel: "warning",
};

await esbuild.build({
  ...common,
  entryPoints: { report: "src/report/main.ts" },
  outdir: "../internal/report/assets",
});

const dashboard = "../server/internal/web/assets";
await mkdir(dashboard, { recursive: true });
await esbuild.build({
  ...common,
  entryPoints: { dashboard: "src/dashboard/main.ts" },
  outdir: dashboard,
});
await copyFile("src/dashboard/index.html", `${dashboard}/index.html`);
