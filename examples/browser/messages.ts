/** The messages between the page (main.ts) and the sampling worker (sampler.worker.ts). */

import type { TopLevelSpec } from "vega-lite";
import type { SummaryRow } from "../../src/index.js";

/** The page asks the worker for a run. */
export interface RunRequest {
  readonly type: "run";
  readonly seed: number;
  readonly numWarmup: number;
  readonly numSamples: number;
  readonly numChains: number;
}

/** A chain's progress, as the MCMC driver's `onProgress` reports it. */
export interface ProgressMessage {
  readonly type: "progress";
  readonly chain: number;
  readonly numChains: number;
  readonly phase: "warmup" | "sampling";
  readonly iteration: number;
  readonly numIterations: number;
  /** The step size of samplers that have one (NUTS, HMC). */
  readonly stepSize?: number;
  readonly numDivergences: number;
}

/** The finished run: what the page shows. */
export interface DoneMessage {
  readonly type: "done";
  /** The tfjs backend the worker ran on and the engine that served the potential. */
  readonly backend: string;
  readonly engine: string;
  readonly seconds: number;
  readonly numDivergences: number;
  readonly summary: Record<string, SummaryRow>;
  readonly traceSpec: TopLevelSpec;
  readonly posteriorSpec: TopLevelSpec;
}

/** The model's graph (`renderModelSvg`), posted before sampling starts. */
export interface GraphMessage {
  readonly type: "graph";
  readonly svg: string;
}

export interface ErrorMessage {
  readonly type: "error";
  readonly message: string;
}

/** Everything the worker posts. */
export type WorkerMessage = ProgressMessage | GraphMessage | DoneMessage | ErrorMessage;
