// Writes the chain worker's bundle into dist (dist/infer/mcmc/chain-worker.bundle.js), which
// worker threads start from in the built package instead of loading the library module by
// module (see src/infer/mcmc/worker-entry.ts). Runs in `npm run build`, after tsc.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { bundleChainWorker, bundleFileName } = await import(
  resolve(root, "dist/infer/mcmc/worker-entry.js")
);
await bundleChainWorker(resolve(root, "dist/infer/mcmc", bundleFileName), { write: true });
