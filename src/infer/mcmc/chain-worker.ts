/**
 * A worker thread that runs one MCMC chain on a compiled potential sent as plain data
 * (DESIGN.md section 4): it rebuilds the float64 value-and-gradient from the artifact and runs
 * the same chain runner, with the same key, as the main thread would, so draws are identical.
 */
import { parentPort } from "node:worker_threads";
import type { CompiledArtifact } from "../../compile/artifact.js";
import type { Key } from "../../primitives/prng.js";
import type { ChainOptions } from "../nuts/chain-options.js";
import type { ChainProgress, ChainResult } from "../nuts/runner.js";

/** What the main thread sends to start a chain. */
export interface ChainJob {
  readonly type: "start";
  readonly artifact: CompiledArtifact;
  readonly options: ChainOptions;
  readonly key: Key;
  /** Modules to import first, so that the custom ops the potential calls are registered. */
  readonly imports: readonly string[];
}

/** What the worker sends back. */
export type ChainMessage =
  | { readonly type: "progress"; readonly progress: ChainProgress }
  | {
      readonly type: "done";
      readonly result: ChainResult;
      readonly warmupSeconds: number;
      readonly samplingSeconds: number;
    }
  | { readonly type: "error"; readonly message: string; readonly position?: Float64Array };

const port = parentPort;
if (port !== null) {
  // The chain in progress: an "abort" message stops it; the next "start" gets a fresh one.
  let controller = new AbortController();
  port.on("message", async (message: ChainJob | { type: "abort" }) => {
    if (message.type === "abort") {
      controller.abort();
      return;
    }
    controller = new AbortController();
    const signal = controller.signal;
    try {
      for (const url of message.imports) await import(url);
      // The library itself registers the built-in custom ops (lgamma, ...).
      const [{ rebuildObjective }, { asGradientTarget }, { runChain }] = await Promise.all([
        import("../../compile/artifact.js"),
        import("../../compile/gradient-target.js"),
        import("../nuts/runner.js"),
        import("../../custom-vjp/index.js"),
      ]);
      const target = asGradientTarget(rebuildObjective(message.artifact));
      let phase: ChainProgress["phase"] = message.options.numWarmup > 0 ? "warmup" : "sampling";
      let phaseStart = performance.now();
      let warmupSeconds = 0;
      let lastPost = 0;
      const result = await runChain(target, message.options, message.key, {
        signal,
        onProgress: (progress) => {
          if (progress.phase !== phase) {
            warmupSeconds = (performance.now() - phaseStart) / 1000;
            phaseStart = performance.now();
            phase = progress.phase;
          }
          const now = performance.now();
          if (now - lastPost > 100 || progress.iteration === progress.numIterations) {
            lastPost = now;
            port.postMessage({ type: "progress", progress } satisfies ChainMessage);
          }
        },
      });
      const elapsed = (performance.now() - phaseStart) / 1000;
      port.postMessage({
        type: "done",
        result,
        warmupSeconds: phase === "warmup" ? elapsed : warmupSeconds,
        samplingSeconds: phase === "sampling" ? elapsed : 0,
      } satisfies ChainMessage);
    } catch (error) {
      const e = error as Error & { position?: Float64Array };
      port.postMessage({
        type: "error",
        message: e.message,
        position: e.position,
      } satisfies ChainMessage);
    }
  });
}
