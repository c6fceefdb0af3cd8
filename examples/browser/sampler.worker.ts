/// <reference types="vite/client" />
/**
 * The sampling worker: draws the model's graph (Graphviz in WebAssembly), then runs NUTS on
 * eight schools with tfjs's wasm backend, off the page's main thread, and posts progress, the
 * summary table and two Vega-Lite plot specifications.
 *
 * The `?url` imports make Vite copy tfjs's WebAssembly binaries into the build and give their
 * URLs, which `setWasmPaths` hands to the wasm backend before it initializes.
 */
import wasmUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreadedSimdUrl from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import {
  MCMC,
  NUTS,
  PRNGKey,
  renderModelSvg,
  setWasmPaths,
  tf,
  useBackend,
} from "../../src/index.js";
import { posteriorSpec, traceSpec } from "../../src/io/index.js";
import { eightSchools, sigma, y } from "./eight-schools.js";
import type { RunRequest, WorkerMessage } from "./messages.js";

setWasmPaths({
  "tfjs-backend-wasm.wasm": wasmUrl,
  "tfjs-backend-wasm-simd.wasm": wasmSimdUrl,
  "tfjs-backend-wasm-threaded-simd.wasm": wasmThreadedSimdUrl,
});

const post = (message: WorkerMessage) => self.postMessage(message);

// Least time between two progress messages of a chain: the page redraws at most this often.
const PROGRESS_INTERVAL_MS = 100;

async function sampleEightSchools(request: RunRequest): Promise<void> {
  await useBackend("wasm");
  post({ type: "graph", svg: await renderModelSvg(eightSchools, [sigma, y]) });
  const started = performance.now();
  const lastPosted = new Float64Array(request.numChains).fill(Number.NEGATIVE_INFINITY);
  const mcmc = new MCMC(new NUTS(eightSchools), {
    numWarmup: request.numWarmup,
    numSamples: request.numSamples,
    numChains: request.numChains,
    // The terminal progress bar is for Node; the page draws its own from onProgress.
    progressBar: false,
    onProgress: (progress) => {
      const now = performance.now();
      const last = progress.iteration === progress.numIterations;
      if (!last && now - lastPosted[progress.chain] < PROGRESS_INTERVAL_MS) return;
      lastPosted[progress.chain] = now;
      post({ type: "progress", ...progress });
    },
  });
  await mcmc.run(PRNGKey(request.seed), sigma, y);
  const run = mcmc.toMcmcRun();
  post({
    type: "done",
    backend: tf.getBackend(),
    engine: mcmc.potential.engine,
    seconds: (performance.now() - started) / 1000,
    numDivergences: mcmc.numDivergences,
    summary: mcmc.summary(),
    traceSpec: traceSpec(run, { sites: ["mu", "tau"], width: 520, height: 100 }),
    posteriorSpec: posteriorSpec(run, { sites: ["mu", "tau", "theta"], columns: 5 }),
  });
}

self.addEventListener("message", (event: MessageEvent<RunRequest>) => {
  if (event.data.type !== "run") return;
  sampleEightSchools(event.data).catch((error: unknown) => {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  });
});
