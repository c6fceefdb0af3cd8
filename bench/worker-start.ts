/**
 * What starting MCMC worker threads costs (issue 17): the chain-worker bundle's size, the time
 * to import it in a fresh worker thread, and `MCMC.timings.workerStartSeconds` for eight schools
 * (non-centred) with 4 parallel chains, in this fresh process. Pass another checkout's root to
 * measure its sources (a baseline); compare figures from runs interleaved under the same load.
 *
 *   npx tsx bench/worker-start.ts [root]
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const root = resolve(process.argv[2] ?? fileURLToPath(new URL("..", import.meta.url)));
const from = (path: string) => pathToFileURL(resolve(root, path)).href;

const { chainWorkerEntry } = (await import(
  from("src/infer/mcmc/worker-entry.ts")
)) as typeof import("../src/infer/mcmc/worker-entry.js");
const entry = await chainWorkerEntry([]);
if (entry.kind !== "file") throw new Error("worker-start: no worker bundle could be built");
const bundleBytes = statSync(entry.url).size;

// Import the bundle in a fresh worker thread: from creating the worker to the import's end.
const started = performance.now();
const worker = new Worker(
  `import(${JSON.stringify(entry.url.href)}).then(() => require("node:worker_threads").parentPort.postMessage("loaded"))`,
  { eval: true },
);
await new Promise((done, fail) => {
  worker.once("message", done);
  worker.once("error", fail);
});
const importSeconds = (performance.now() - started) / 1000;
await worker.terminate();

const tyche = (await import(from("src/index.ts"))) as typeof import("../src/index.js");
const schools = (await import(
  from("validation/models/eight-schools-noncentered.ts")
)) as typeof import("../validation/models/eight-schools-noncentered.js");
const mcmc = new tyche.MCMC(new tyche.NUTS(schools.model), {
  numWarmup: 100,
  numSamples: 100,
  numChains: 4,
  chainMethod: "parallel",
  progressBar: false,
});
await mcmc.run(tyche.PRNGKey(0), schools.loadData());
console.log(
  JSON.stringify({
    root,
    bundleBytes,
    importSeconds: Number(importSeconds.toFixed(3)),
    workerStartSeconds: Number(mcmc.timings.workerStartSeconds?.toFixed(3)),
  }),
);
process.exit(0);
