/**
 * How the rest of the library steers `scan`. The compiled engine traces a scan body once
 * instead of letting the scan loop: while it records a model, it installs a tracer here, and
 * `scan` asks it first. `scan` keeps the model-side logic (sites, handlers, stacking); the tracer
 * keeps the recording side (which outer tensors the body reads, the body's sub-graph, the loop
 * kernel). And `potential` asks scans to run their first step only where it needs shapes.
 */
import type { tf } from "../tf.js";

/** Watches one run of a body to learn which tensors from outside the scan it reads. */
export interface ScanDiscovery {
  /** Stops watching (while handlers outside the scan run). */
  pause(): void;
  /** Watches again. */
  resume(): void;
  /** Stops for good: the tensors from outside that the body computed with, or why tracing once cannot work. */
  finish(): { ok: true; captured: tf.Tensor[] } | { ok: false; reason: string; silent: boolean };
}

/** A scan to run as one loop kernel. */
export interface TracedLoopRequest {
  /** Number of steps. */
  readonly length: number;
  /** The initial carry's leaves. */
  readonly carry: readonly tf.Tensor[];
  /**
   * Inputs with a time dimension of `length` at `axis`: step t gets entry t along it (as a
   * row without that dim when it is the first, with it as a size-1 dim otherwise).
   */
  readonly sliced: readonly { readonly tensor: tf.Tensor; readonly axis: number }[];
  /** Tensors from outside the scan that the body reads directly (from discovery). */
  readonly captured: readonly tf.Tensor[];
  /**
   * Where the time dimension of each per-step output goes: into its size-1 dim `axis`, or
   * (-1) in front as a new dim.
   */
  readonly stackedAxes: readonly number[];
  /**
   * One step, from the carry's leaves and the rows of the sliced inputs: the new carry's
   * leaves (same shapes) and the per-step outputs to stack.
   */
  step(carry: tf.Tensor[], rows: tf.Tensor[]): { carry: tf.Tensor[]; stacked: tf.Tensor[] };
}

/** The loop's outputs: the last carry's leaves and each per-step output stacked along time. */
export type TracedLoopResult =
  | { ok: true; carry: tf.Tensor[]; stacked: tf.Tensor[] }
  | { ok: false; reason: string; silent: boolean };

/** What the compiled engine offers `scan` while it records. */
export interface ScanTracer {
  /** Starts watching the body's first run. */
  startDiscovery(): ScanDiscovery;
  /**
   * A fresh tensor with the value of `x`, or of its entry `row` along dim `axis` (default 0;
   * the dim dropped when it is the first, kept with size 1 otherwise), made without a recorded
   * kernel.
   */
  copy(x: tf.Tensor, row?: number, axis?: number): tf.Tensor;
  /** Traces `request.step` once and returns the outputs of the loop over all steps. */
  traceLoop(request: TracedLoopRequest): TracedLoopResult;
}

let active: ScanTracer | undefined;

/**
 * Runs `body` with `tracer` installed (the compiled engine does, around each recording).
 *
 * @example
 * withScanTracer(tracer, () => objective(q));
 */
export function withScanTracer<T>(tracer: ScanTracer | undefined, body: () => T): T {
  const previous = active;
  active = tracer;
  try {
    return body();
  } finally {
    active = previous;
  }
}

/**
 * The tracer installed now, if any.
 *
 * @example
 * const tracer = currentScanTracer(); // undefined outside the compiled engine's recording
 */
export function currentScanTracer(): ScanTracer | undefined {
  return active;
}

let stepsRun: number | undefined;

/**
 * Runs `body` with every eager scan running its first `steps` steps only (default 1) and
 * repeating the first for the others: a quick run that gives each scanned site its full shape
 * and a value in its support. `potential` finds the latent sites and the point to compile at
 * this way, so that building it does not cost a run over every step; planning an enumerated
 * model's contraction runs two steps (the second is the first to read the previous step's
 * states).
 *
 * @example
 * const tr = withFirstStepOnly(() => trace(seed(model, 0)).getTrace(data)); // z: [T], z[t] = z[0]
 */
export function withFirstStepOnly<T>(body: () => T, steps = 1): T {
  const previous = stepsRun;
  stepsRun = steps;
  try {
    return body();
  } finally {
    stepsRun = previous;
  }
}

/**
 * How many steps scans run now: all of `length`, or fewer inside `withFirstStepOnly`.
 *
 * @example
 * const run = scanStepsToRun(length);
 */
export function scanStepsToRun(length: number): number {
  return Math.min(length, stepsRun ?? length);
}
