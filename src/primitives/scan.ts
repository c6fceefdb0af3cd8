/**
 * `scan`: a loop over time whose sites become one site each, as NumPyro's
 * `numpyro.contrib.control_flow.scan` (which wraps `jax.lax.scan`).
 *
 * Design. The body is a model of `(carry, x)` returning `[nextCarry, y]`; scan runs it and
 * handles its messages itself (scan-step.ts). The handlers outside the scan see each site of
 * the body twice: once as a probe before the steps run, where they may give the site a value
 * for all steps (condition, substitute, replay, the potential's unconstrained point), a key
 * (seed) or plates (vmap); and once after the last step, as one site whose value has a time
 * dimension: `[T, ...]` (scan-time.ts), with a distribution that scores each step
 * (ScannedDistribution). Traces, Predictive, MCMC draws and exports therefore show `z: [T]`,
 * and conditioning `z` takes the whole series.
 *
 * Two ways to run. Eagerly, the steps run one after the other (the reference semantics, equal
 * to the unrolled model). While the compiled engine records a model it installs a tracer
 * (scan-tracer.ts); scan then runs step 0 once to meet the handlers and learn which tensors
 * from outside the body reads, and hands the tracer a step function of the carry, the rows of
 * `xs` and of the given series: the tracer records it once as a sub-graph with its gradient and
 * stands in one loop kernel for all steps, so the recorded graph and the emitted code do not
 * grow with T (src/compile/scan; scan-traced.ts here). When the body cannot be traced once (it
 * draws a site, reads a value, changes the carry's shape, ...), scan warns once, naming the
 * cause, and the steps are recorded one by one.
 *
 * Under enumeration (`enumerate`, as potential, TraceEnumELBO and inferDiscrete run a model
 * with sites marked for enumeration) a scan is a markov chain: its enumerated sites are summed
 * out along time by a forward message carried through the loop (src/primitives/scan-chain.ts),
 * in both ways of running.
 */
import { ScannedDistribution } from "../dist/scanned.js";
import { ArgumentError, ModelError } from "../errors.js";
import { tf } from "../tf.js";
import { formatShape } from "../util/shapes.js";
import type { Message, PlateFrame } from "./messages.js";
import {
  chainCost,
  chainSiteMessage,
  checkNotChain,
  forward,
  type ScanChain,
  scanChainOf,
  stepFactor,
  toPrevious,
} from "./scan-chain.js";
import {
  type Body,
  carryStructureError,
  outerFrames,
  ownRank,
  runStep,
  type ScanState,
  type StepResult,
} from "./scan-step.js";
import { reshapePadded, splitTime, stackTime, timeAxis } from "./scan-time.js";
import { tracedScan } from "./scan-traced.js";
import { currentScanTracer, scanStepsToRun } from "./scan-tracer.js";
import { type FlatTree, flattenTree, type ScanTree } from "./scan-tree.js";

export type { ScanTree } from "./scan-tree.js";

/** Options of `scan`. */
export interface ScanOptions {
  /** The number of steps: required when there are no `xs`, and checked against them otherwise. */
  length?: number;
}

/** The initial carry: like the carry the body receives, with numbers or arrays allowed for tensors. */
export type ScanInit<C> = C extends tf.Tensor
  ? C | Exclude<import("../tf.js").ArrayLike, tf.Tensor>
  : C extends readonly unknown[]
    ? { readonly [K in keyof C]: ScanInit<C[K]> }
    : C extends object
      ? { readonly [K in keyof C]: ScanInit<C[K]> }
      : C;

/**
 * Scans `body` over the leading axis of `xs`, carrying state, as NumPyro's `scan`: step t
 * runs `body(carry, xs[t])`, which returns `[nextCarry, y]`; scan returns the last carry and
 * the `y`s stacked along a new leading axis. Sample, deterministic and factor sites inside
 * the body become one site each with a leading time dimension. `xs` may be a tensor, data or
 * an array or record of them (sliced leaf by leaf), or absent with `length`.
 *
 * @example
 * function* ar1(y: number[]) {
 *   const alpha = yield* sample("alpha", Normal(0, 10));
 *   const rho = yield* sample("rho", Uniform(-1, 1));
 *   const sigma = yield* sample("sigma", HalfNormal(1));
 *   yield* scan(
 *     function* (prev: tf.Tensor, yt: tf.Tensor) {
 *       yield* sample("y", Normal(tf.add(alpha, tf.mul(rho, prev)), sigma), { obs: yt });
 *       return [yt, null];
 *     },
 *     y[0],
 *     y.slice(1),
 *   );
 * }
 * trace(seed(ar1, 0)).getTrace([0.1, 0.3, 0.2, 0.5]).get("y").value.shape; // [3]
 */
export function* scan<C, Y = unknown, X = any>(
  body: (carry: C, x: X) => Generator<Message, readonly [C, Y], unknown>,
  init: ScanInit<C>,
  xs?: ScanTree,
  options: ScanOptions = {},
): Generator<Message, [C, Y], unknown> {
  const initTree = flattenTree(init, "init");
  const xsTree = flattenTree(xs, "xs");
  const length = scanLength(xsTree, options.length);
  const state: ScanState = {
    length,
    decisions: new Map(),
    order: [],
    decided: false,
    drawn: new Set(),
    valueAt: () => {
      throw new Error("scan: internal error: no slicing strategy");
    },
  };
  const tracer = currentScanTracer();
  if (tracer !== undefined) {
    const traced = yield* tracedScan(tracer, body, initTree, xsTree, state);
    if (traced !== undefined) return traced as [C, Y];
  }
  return (yield* loopScan(body, initTree, xsTree, state)) as [C, Y];
}

function scanLength(xs: FlatTree, length: number | undefined): number {
  if (length !== undefined && (!Number.isInteger(length) || length < 1)) {
    throw new ArgumentError({
      message: `scan: length must be a positive integer, got ${length}`,
      api: "scan",
      argument: "length",
    });
  }
  let n = length;
  xs.leaves.forEach((leaf, i) => {
    if (leaf.rank === 0) {
      throw new ArgumentError({
        message: `scan: ${xs.paths[i]} is a scalar; every leaf of xs needs a leading axis to scan over`,
        api: "scan",
        argument: "xs",
      });
    }
    if (n === undefined) n = leaf.shape[0];
    else if (leaf.shape[0] !== n) {
      throw new ArgumentError({
        message: `scan: ${xs.paths[i]} has shape ${formatShape(leaf.shape)}, but the scan has ${n} steps (${length === undefined ? `from ${xs.paths[0]}` : "length"}); every leaf of xs needs ${n} rows`,
        api: "scan",
        argument: "xs",
      });
    }
  });
  if (n === undefined) {
    throw new ArgumentError({
      message: "scan: give xs to scan over, or the number of steps as { length }",
      api: "scan",
      argument: "length",
    });
  }
  if (n < 1) {
    throw new ArgumentError({
      message: `scan: xs has ${n} rows; a scan needs at least one step`,
      api: "scan",
      argument: "xs",
    });
  }
  return n;
}

/** The eager scan: every step runs, then each site is stacked and sent outward once. */
function* loopScan(
  body: Body,
  init: FlatTree,
  xs: FlatTree,
  state: ScanState,
): Generator<Message, [unknown, unknown], unknown> {
  const length = state.length;
  const cache = new Map<string, tf.Tensor[] | undefined>();
  state.valueAt = (name, series, inner, t) => {
    if (!cache.has(name)) {
      cache.set(name, splitTime(series, inner, length, `the value given to "${name}"`));
    }
    return cache.get(name)?.[t] ?? series;
  };
  const run = scanStepsToRun(length);
  // The rows of xs the steps read (only those: a quick run of the first steps stays quick).
  const rows = xs.leaves.map((leaf) =>
    run === length ? tf.unstack(leaf, 0) : tf.unstack(tf.slice(leaf, 0, run), 0),
  );
  let carry = init.rebuild(init.leaves);
  const steps: StepResult[] = [];
  // Under enumeration: the chain, its forward message and the steps' factors (scan-chain.ts).
  let chain: ScanChain | undefined;
  let alpha: tf.Tensor | undefined;
  const factors: tf.Tensor[] = [];
  let cost = 0;
  for (let t = 0; t < run; t++) {
    const step = yield* runStep(body, carry, xs.rebuild(rows.map((r) => r[t])), t, state);
    if (t === 0) chain = scanChainOf(state, step);
    state.decided = true;
    const next = flattenTree(step.carry, "the carry returned by the body");
    if (next.signature !== init.signature) throw carryStructureError(init, next);
    carry = next.rebuild(next.leaves);
    if (chain !== undefined) {
      const c = chain;
      for (const y of flattenTree(step.y, "y").leaves) checkNotChain(c, y, "the body's output y");
      const factor = stepFactor(c, step, state);
      alpha = forward(c, alpha, factor, "sum");
      // The work of every step as the first's, its states moved (as the traced loop counts it).
      if (t === 0) cost = chainCost(c, alpha.shape, factor.shape, length);
      factors.push(factor);
      // The next step reads this step's states on the previous dims.
      carry = next.rebuild(next.leaves.map((leaf) => toPrevious(c, leaf, "the carry")));
    }
    steps.push(step);
  }
  const outer = outerFrames(state);
  const ys = stackOutputs(
    steps.map((s) => s.y),
    outer,
    length,
  );
  if (chain === undefined) {
    for (const name of state.order) yield stackedSite(name, steps, state);
    return [carry, ys];
  }
  const message = { last: alpha as tf.Tensor, factors, cost };
  for (const name of state.order) {
    // Enumerated sites are not stacked: their record is their variable.
    const site = state.decisions.get(name)?.enumerated
      ? undefined
      : stackedSite(name, steps, state);
    yield site === undefined || site.type === "sample"
      ? chainSiteMessage(chain, state, steps[0], name, site, message)
      : site;
  }
  // The last carry as the body returned it: the last states on their own dims.
  const last = flattenTree(steps[steps.length - 1].carry, "the carry returned by the body");
  return [last.rebuild(last.leaves), ys];
}

function stackOutputs(
  outputs: readonly unknown[],
  outer: readonly PlateFrame[],
  length: number,
): unknown {
  const flats = outputs.map((y) => flattenTree(y, "y"));
  const first = flats[0];
  for (const f of flats) {
    if (f.signature !== first.signature) {
      throw new ModelError({
        message:
          "scan: the body's output y changes structure between steps; every step must return the same structure",
      });
    }
  }
  const leaves = first.leaves.map((leaf, i) =>
    stackSteps(
      flats.map((f) => f.leaves[i]),
      ownRank(leaf.shape, outer),
      length,
      first.paths[i],
    ),
  );
  return first.rebuild(leaves);
}

/** A site of the body as one message, its steps stacked along time. */
function stackedSite(name: string, steps: readonly StepResult[], state: ScanState): Message {
  const d = state.decisions.get(name)!;
  const length = state.length;
  const msgs = steps.map((s) => s.sites.get(name)!);
  const first = msgs[0];
  if (first.type === "deterministic") {
    return {
      type: "deterministic",
      name,
      value:
        d.series ??
        stackSteps(
          msgs.map((m) => m.value as tf.Tensor),
          d.ownBatchRank,
          length,
          `deterministic site "${name}"`,
        ),
      plates: first.plates.slice(0, d.innerFrames),
      stop: false,
    };
  }
  const sampleMsgs = msgs as Extract<Message, { type: "sample" }>[];
  const batchRank = first.fn.batchShape.length;
  const rank = batchRank + first.fn.eventShape.length;
  const inner = d.ownBatchRank + first.fn.eventShape.length;
  const value =
    d.series ??
    stackSteps(
      sampleMsgs.map((m) => reshapePadded(m.value as tf.Tensor, rank)),
      inner,
      length,
      `the value of "${name}"`,
    );
  const fns = sampleMsgs.map((m) => m.fn);
  while (fns.length < length) fns.push(fns[0]);
  return {
    type: "sample",
    name,
    fn: ScannedDistribution(name, fns, undefined, d.ownBatchRank),
    value,
    isObserved: first.isObserved,
    scale: stackScales(
      sampleMsgs.map((m) => m.scale),
      batchRank,
      d.ownBatchRank,
      length,
    ),
    mask: stackMasks(
      sampleMsgs.map((m) => m.mask),
      batchRank,
      d.ownBatchRank,
      length,
    ),
    key: null,
    infer: { ...first.infer },
    plates: first.plates.slice(0, d.innerFrames),
    stop: false,
  };
}

function stackScales(
  scales: readonly (number | tf.Tensor | null)[],
  batchRank: number,
  ownBatchRank: number,
  length: number,
): number | tf.Tensor | null {
  if (scales.every((s) => s === null)) return null;
  if (scales.every((s) => typeof s === "number" && s === scales[0])) return scales[0];
  const tensors = scales.map((s) =>
    s === null ? tf.scalar(1) : typeof s === "number" ? tf.scalar(s) : s,
  );
  return stackSteps(
    tensors.map((s) => reshapePadded(s, batchRank)),
    ownBatchRank,
    length,
    "a scale",
  );
}

function stackMasks(
  masks: readonly (boolean | tf.Tensor | null)[],
  batchRank: number,
  ownBatchRank: number,
  length: number,
): boolean | tf.Tensor | null {
  if (masks.every((m) => m === null || m === true)) return null;
  if (masks.every((m) => m === false)) return false;
  const tensors = masks.map((m) =>
    m === null || typeof m === "boolean" ? tf.scalar(m !== false, "bool") : m,
  );
  return stackSteps(
    tensors.map((m) => reshapePadded(m, batchRank)),
    ownBatchRank,
    length,
    "a mask",
  );
}

/** `stackTime` over all steps, or over the first step repeated when only it ran. */
function stackSteps(values: tf.Tensor[], inner: number, length: number, what: string): tf.Tensor {
  if (values.length === length) return stackTime(values, inner, what);
  const one = stackTime(values.slice(0, 1), inner, what);
  const axis = timeAxis(one.shape, inner);
  return tf.broadcastTo(
    one,
    one.shape.map((n, i) => (i === axis ? length : n)),
  );
}
