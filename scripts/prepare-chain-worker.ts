// Builds the chain worker's bundle into node_modules/.cache/tyche (src/infer/mcmc/worker-entry.ts)
// when `npm ci` or `npm install` runs in this repository (the `dependencies` lifecycle script),
// so that the first parallel MCMC run of a fresh clone (the demo's) starts its workers at once
// instead of waiting about two seconds for esbuild. A failure here is not fatal: the bundle is
// then built on first use, as before.
import { prepareChainWorkerBundle } from "../src/infer/mcmc/worker-entry.js";

try {
  const started = performance.now();
  const bundle = await prepareChainWorkerBundle();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    bundle === undefined ? "chain worker: no bundle" : `chain worker bundle ready (${seconds} s)`,
  );
} catch (error) {
  console.warn(`chain worker: bundle not built now (${String(error)}); it is built on first use`);
}
