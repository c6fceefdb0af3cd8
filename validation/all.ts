/**
 * `npm run validate`: every long statistical validation, one after another, each in its own
 * process; exits non-zero when any fails.
 *
 *   1. validation/run.ts: NUTS on the 15 posteriors of posteriordb against their references;
 *   2. validation/sbc.ts: simulation-based calibration of small models and eight schools, and
 *      a deliberately wrong model that must fail;
 *   3. validation/advi-vs-nuts.ts: ADVI's means against NUTS's on eight schools and the
 *      logistic regression;
 *   4. validation/reparam.ts: the centred eight schools under LocScaleReparam(0) against
 *      posteriordb, and stochastic volatility (T = 500) with its walk non-centred.
 *   5. validation/pathfinder.ts: multi-path Pathfinder on the non-centred eight schools against
 *      its reference (a failure must be flagged by the Pareto k).
 *
 *   npm run validate
 *   npm run validate -- posteriordb      # only the scripts whose names contain the words
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const scripts = [
  { name: "posteriordb", file: "run.ts" },
  { name: "sbc", file: "sbc.ts" },
  { name: "advi-vs-nuts", file: "advi-vs-nuts.ts" },
  { name: "reparam", file: "reparam.ts" },
  { name: "pathfinder", file: "pathfinder.ts" },
];
const only = process.argv.slice(2);
const chosen =
  only.length === 0 ? scripts : scripts.filter((s) => only.some((w) => s.name.includes(w)));
const results: Array<{ name: string; ok: boolean; seconds: number }> = [];
for (const script of chosen) {
  console.log(`\n=== ${script.name} (validation/${script.file}) ===\n`);
  const started = performance.now();
  const run = spawnSync("npx", ["tsx", fileURLToPath(new URL(script.file, import.meta.url))], {
    stdio: "inherit",
  });
  results.push({
    name: script.name,
    ok: run.status === 0,
    seconds: (performance.now() - started) / 1000,
  });
}
console.log("\n=== validation ===");
for (const r of results)
  console.log(`${r.ok ? "pass" : "FAIL"}  ${r.name.padEnd(14)} ${r.seconds.toFixed(0)} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
