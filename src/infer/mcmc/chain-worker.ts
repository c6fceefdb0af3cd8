/**
 * A worker thread that runs MCMC chains on a compiled potential sent as plain data (DESIGN.md
 * section 4): it rebuilds the float64 value-and-gradient from the artifact, sets the chain up
 * with the sampler module's `chainSetup` and runs the same chain loop, with the same key, as
 * the main thread would, so draws are identical.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type CompiledArtifact, rebuildObjective } from "../../compile/artifact.js";
import { asGradientTarget } from "../../compile/gradient-target.js";
// The float64 rules of the library's own custom ops (lgamma, ...), without tfjs.
import "../../custom-vjp/builtin-rules.js";
import type { Key } from "../../primitives/prng.js";
import { chainSetup as hmcChainSetup } from "../nuts/sampler.js";
import { chainSetup as randomWalkChainSetup } from "../rwm/random-walk.js";
import {
  type ChainPlan,
  type ChainProgress,
  type ChainResult,
  ChainRun,
  driveChain,
} from "./chain.js";
import type { ChainSetupFunction } from "./sampler.js";

/** What the main thread sends to start a chain. */
export interface ChainJob {
  readonly type: "start";
  readonly artifact: CompiledArtifact;
  /** URL of the module whose `chainSetup` sets the chain up from `settings`. */
  readonly module: string;
  readonly settings: unknown;
  readonly plan: ChainPlan;
  /** Start from these parameters (a continuation, with no warmup iterations); undefined: the setup's. */
  readonly parameters?: unknown;
  readonly key: Key;
  /** Modules to import first, so that the custom ops the potential calls are registered. */
  readonly imports: readonly string[];
}

/** An error as plain data: its tag, class name, message, stack and own data fields. */
export interface SerializedError {
  readonly tag?: string;
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Record<string, unknown>;
}

/** What the worker sends back. */
export type ChainMessage =
  | { readonly type: "started" }
  | { readonly type: "progress"; readonly progress: ChainProgress }
  | { readonly type: "done"; readonly result: ChainResult }
  | { readonly type: "error"; readonly error: SerializedError };

/** The data of an error that can cross threads (functions and symbols stay behind). */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (typeof v !== "function" && typeof v !== "symbol" && k !== "cause") fields[k] = v;
  }
  const tag = (error as { _tag?: unknown })._tag;
  return {
    tag: typeof tag === "string" ? tag : undefined,
    name: error.name,
    message: error.message,
    stack: error.stack,
    fields,
  };
}

/** What the pool passes each worker. */
export interface ChainWorkerData {
  /** The main thread's library root (src/ or dist/ URL), to recognize built-in sampler modules. */
  readonly libraryRoot?: string;
}

/** The built-in samplers' modules, by path under the library root without extension. */
const builtInSamplers: Record<string, ChainSetupFunction> = {
  "infer/nuts/sampler": hmcChainSetup as ChainSetupFunction,
  "infer/rwm/random-walk": randomWalkChainSetup as ChainSetupFunction,
};

/**
 * The `chainSetup` of a sampler module: a built-in sampler's from this thread's copy of the
 * library (which, in the worker bundle, is not at the main thread's URL), else the module's.
 */
async function samplerSetup(module: string): Promise<ChainSetupFunction> {
  const root = (workerData as ChainWorkerData | undefined)?.libraryRoot;
  if (root !== undefined && module.startsWith(root)) {
    const builtIn = builtInSamplers[module.slice(root.length).replace(/\.[cm]?[jt]s$/, "")];
    if (builtIn !== undefined) return builtIn;
  }
  return ((await import(module)) as { chainSetup: ChainSetupFunction }).chainSetup;
}

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
      const chainSetup = await samplerSetup(message.module);
      const target = asGradientTarget(rebuildObjective(message.artifact));
      const setup = chainSetup(message.settings, target, message.plan);
      port.postMessage({ type: "started" } satisfies ChainMessage);
      const continued =
        message.parameters === undefined ? setup : { ...setup, parameters: message.parameters };
      let lastPost = 0;
      const run = new ChainRun(target, message.plan, continued, message.key, {
        onProgress: (progress) => {
          const now = performance.now();
          if (now - lastPost > 100 || progress.iteration === progress.numIterations) {
            lastPost = now;
            port.postMessage({ type: "progress", progress } satisfies ChainMessage);
          }
        },
      });
      const result = await driveChain(run, signal);
      port.postMessage({ type: "done", result } satisfies ChainMessage);
    } catch (error) {
      port.postMessage({ type: "error", error: serializeError(error) } satisfies ChainMessage);
    }
  });
}
