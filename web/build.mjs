// Builds the report page's bundle into internal/report/assets, where Go
// embeds it. The output must be the same bytes on every machine: versions
// are pinned in package-lock.json and nothing time- or path-dependent is
// written (make check-web compares them with the committed ones).
import * as esbuild from "esbuild";

await esbuild.build({
  entryPoints: { report: "src/report/main.ts" },
  outdir: "../internal/report/assets",
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  platform: "browser",
  legalComments: "eof",
  sourcemap: false,
  charset: "utf8",
  logLevel: "warning",
});
