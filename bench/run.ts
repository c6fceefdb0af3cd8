/**
 * `npm run bench`: the benchmarks in sequence, each in its own process so that one's JIT state
 * and memory do not colour the next: bench/gradient.ts (time per gradient: compiled, hand-written,
 * eager), bench/scan.ts (time series with scan against for-loops and hand-written code),
 * bench/enum-hmm.ts (the enumerated HMM against the forward algorithm), then bench/vs-stan.ts
 * (Tyche against Stan; Stan is skipped with a message when Rscript
 * or rstan is missing). Arguments are passed on to vs-stan (model names to run only those).
 */
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const BENCHMARKS: ReadonlyArray<{ file: string; args: string[] }> = [
  { file: "gradient.ts", args: [] },
  { file: "scan.ts", args: [] },
  { file: "enum-hmm.ts", args: [] },
  { file: "vs-stan.ts", args: process.argv.slice(2) },
];

let failed = 0;
for (const { file, args } of BENCHMARKS) {
  console.log(`\n=== bench/${file} ===`);
  // tsx's CLI through the running node, so that no npx lookup is needed.
  const result = spawnSync(process.execPath, ["--import", "tsx", resolve(here, file), ...args], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    console.error(`bench/${file} exited with status ${result.status}`);
    failed++;
  }
}
process.exitCode = failed === 0 ? 0 : 1;
