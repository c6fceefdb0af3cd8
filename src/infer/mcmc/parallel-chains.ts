/**
 * Chains in worker threads: each chain runs in its own thread on the compiled potential's
 * artifact. The main thread only relays progress, aborts and results.
 */
import { Effect } from "effect";
import type { Key } from "../../primitives/prng.js";
import type { ChainOptions } from "../nuts/chain-options.js";
import type { ChainProgress, ChainResult } from "../nuts/runner.js";
import type { Potential } from "../potential.js";
import type { ChainJob, ChainMessage } from "./chain-worker.js";
import { describePoint } from "./init-strategies.js";

/** A finished (or aborted) chain from a worker, with its phase timings. */
export interface WorkerChain {
  readonly result: ChainResult;
  readonly warmupSeconds: number;
  readonly samplingSeconds: number;
}

/** How to reach a worker: the worker module, and the loader it needs when running from TypeScript. */
function workerSource(): string {
  const workerUrl = new URL(
    `./chain-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
    import.meta.url,
  ).href;
  const load = `import(${JSON.stringify(workerUrl)})`;
  // From TypeScript sources (tests, examples run with tsx), register tsx's loader in the thread first.
  const body = import.meta.url.endsWith(".ts")
    ? `import("tsx/esm/api").then((tsx) => { tsx.register(); return ${load}; })`
    : load;
  return body;
}

/**
 * Runs one chain in a worker thread. Interrupting the Effect, or aborting `signal`, asks the
 * worker to stop and waits for the draws it made.
 */
export function chainInWorker(
  target: Potential,
  options: ChainOptions,
  key: Key,
  imports: readonly string[],
  signal: AbortSignal | undefined,
  onProgress: (progress: ChainProgress) => void,
  holder: { chain?: WorkerChain },
): Effect.Effect<WorkerChain, Error> {
  return Effect.async<WorkerChain, Error>((resume) => {
    let settled = false;
    // Aborted by the user's signal or by interruption; either way the worker returns its draws.
    const stop = new AbortController();
    const forward = () => stop.abort();
    signal?.addEventListener("abort", forward);
    const pending = (async () => {
      const { Worker } = await import("node:worker_threads");
      const worker = new Worker(workerSource(), { eval: true });
      const finished = new Promise<WorkerChain>((resolve, reject) => {
        worker.on("message", (message: ChainMessage) => {
          if (message.type === "progress") onProgress(message.progress);
          else if (message.type === "done") resolve(message);
          else {
            const detail =
              message.position !== undefined ? `\n${describePoint(target, message.position)}` : "";
            reject(new Error(`${message.message}${detail}`));
          }
        });
        worker.on("error", reject);
      });
      const abort = () => worker.postMessage({ type: "abort" });
      if (stop.signal.aborted) abort();
      stop.signal.addEventListener("abort", abort);
      const job: ChainJob = { type: "start", artifact: target.artifact!, options, key, imports };
      worker.postMessage(job);
      try {
        const chain = await finished;
        holder.chain = chain;
        return chain;
      } finally {
        signal?.removeEventListener("abort", forward);
        await worker.terminate();
      }
    })();
    pending.then(
      (chain) => {
        settled = true;
        resume(Effect.succeed(chain));
      },
      (error: Error) => {
        settled = true;
        resume(Effect.fail(error));
      },
    );
    return Effect.promise(async () => {
      if (settled) return;
      stop.abort();
      await pending.catch(() => undefined);
    });
  });
}
