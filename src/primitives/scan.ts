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
 * grow with T (src/compile/scan). When the body cannot be traced once (it draws a site, runs
 * inside a plate or vmap, changes the carry's shape, ...), scan warns once, naming the cause,
 * and the steps are recorded one by one.
 *
 * Discrete enumeration with `markov` inside the body is not handled yet: it would recycle
 * enumeration dims between steps (see docs/guide.md, "Time series with scan").
 */
import { ScannedDistribution } from "../dist/scanned.js";
import { ArgumentError, ModelError } from "../errors.js";
import { tf } from "../tf.js";
import { formatShape } from "../util/shapes.js";
import type { Message, PlateFrame } from "./messages.js";
import { ownRank, runStep, type ScanState, type StepResult } from "./scan-step.js";
import { padShape, splitTime, stackTime, timeAxis } from "./scan-time.js";
import {
  currentScanTracer,
  type ScanTracer,
  scanFirstStepOnly,
  type TracedLoopRequest,
} from "./scan-tracer.js";
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

type Body = (carry: any, x: any) => Generator<Message, unknown, unknown>;

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
  const rows = xs.leaves.map((leaf) => tf.unstack(leaf, 0));
  let carry = init.rebuild(init.leaves);
  const steps: StepResult[] = [];
  const run = scanFirstStepOnly() ? 1 : length;
  for (let t = 0; t < run; t++) {
    const step = yield* runStep(body, carry, xs.rebuild(rows.map((r) => r[t])), t, state);
    state.decided = true;
    const next = flattenTree(step.carry, "the carry returned by the body");
    if (next.signature !== init.signature) throw carryStructureError(init, next);
    carry = next.rebuild(next.leaves);
    steps.push(step);
  }
  const outer = outerFrames(state);
  const ys = stackOutputs(
    steps.map((s) => s.y),
    outer,
    length,
  );
  for (const name of state.order) yield stackedSite(name, steps, state);
  return [carry, ys];
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
    fn: new ScannedDistribution(name, fns, undefined, d.ownBatchRank),
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

function reshapePadded(x: tf.Tensor, rank: number): tf.Tensor {
  return x.rank >= rank ? x : tf.reshape(x, padShape(x.shape, rank));
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

function outerFrames(state: ScanState): readonly PlateFrame[] {
  for (const d of state.decisions.values()) if (d.outer.length > 0) return d.outer;
  return [];
}

function carryStructureError(init: FlatTree, next: FlatTree): ModelError {
  return new ModelError({
    message: `scan: the body returned a carry of structure ${next.signature} for an initial carry of structure ${init.signature}; the carry must keep its structure`,
  });
}

const warned = new Set<string>();

function warnOnce(reason: string, length: number): void {
  const message = `scan: the compiled engine cannot trace this scan's body once (${reason}); it records the ${length} steps one by one`;
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

/** What the traced step returns for one site, after the `y` leaves. */
interface SiteOutputs {
  readonly name: string;
  /** Whether the step outputs the site's value (not given from outside, nor a row of xs). */
  readonly value: boolean;
  /** The leaf of xs whose rows are the site's values (an observation `obs: x`), if any. */
  readonly row: number | undefined;
  readonly scale: boolean;
  readonly mask: boolean;
}

/**
 * The scan as one loop kernel of the compiled engine, or undefined (after a warning where the
 * cause is the scan's own) when the steps must be recorded one by one.
 */
function* tracedScan(
  tracer: ScanTracer,
  body: Body,
  init: FlatTree,
  xs: FlatTree,
  state: ScanState,
): Generator<Message, [unknown, unknown] | undefined, unknown> {
  const length = state.length;
  let obstacle: string | undefined;
  state.valueAt = (name, series, inner, t) => {
    const axis = timeAxis(series.shape, inner);
    if (axis < 0) return series;
    if (axis === 0 && series.shape[0] === length) return tracer.copy(series, t);
    obstacle ??= `the value given to site "${name}" has dims left of its time dimension`;
    return splitTime(series, inner, length, `the value given to "${name}"`)?.[t] ?? series;
  };
  // Step 0, once, to meet the handlers outside and see what the body reads from outside.
  const discovery = tracer.startDiscovery();
  state.hooks = { before: () => discovery.pause(), after: () => discovery.resume() };
  let first!: StepResult;
  let siteOutputs!: SiteOutputs[];
  let found!: ReturnType<typeof discovery.finish>;
  try {
    const carry = init.rebuild(init.leaves.map((leaf) => tracer.copy(leaf)));
    const rows = xs.leaves.map((leaf) => tracer.copy(leaf, 0));
    first = yield* runStep(body, carry, xs.rebuild(rows), 0, state);
    siteOutputs = siteOutputsOf(first, state, rows);
    // The outputs are computed here too, so that discovery sees what they read (log-densities).
    stepSiteOutputs(first, siteOutputs);
  } finally {
    state.hooks = undefined;
    found = discovery.finish();
  }
  state.decided = true;
  if (!found.ok) {
    if (!found.silent) warnOnce(found.reason, length);
    return undefined;
  }
  obstacle = obstacleOf(state, first, init) ?? obstacle;
  if (obstacle !== undefined) {
    warnOnce(obstacle, length);
    return undefined;
  }

  const ysTree = flattenTree(first.y, "y");
  const rowSites = state.order.filter((name) => {
    const d = state.decisions.get(name)!;
    const msg = first.sites.get(name)!;
    return d.series !== null && timeAxis(d.series.shape, innerRank(msg, d.ownBatchRank)) === 0;
  });
  const request: TracedLoopRequest = {
    length,
    carry: init.leaves,
    sliced: [...xs.leaves, ...rowSites.map((name) => state.decisions.get(name)!.series!)],
    captured: found.captured,
    step: (carryLeaves, rows) => {
      const seriesRows = new Map(rowSites.map((name, i) => [name, rows[xs.leaves.length + i]]));
      state.valueAt = (name, series) => seriesRows.get(name) ?? series;
      const result = runToEnd(
        runStep(
          body,
          init.rebuild(carryLeaves),
          xs.rebuild(rows.slice(0, xs.leaves.length)),
          0,
          state,
        ),
      );
      const carry = flattenTree(result.carry, "the carry returned by the body");
      const ys = flattenTree(result.y, "y");
      if (carry.signature !== init.signature) throw carryStructureError(init, carry);
      if (ys.signature !== ysTree.signature) {
        throw new ModelError({
          message: "scan: the body's output y changes structure between runs",
        });
      }
      return {
        carry: carry.leaves,
        stacked: [...ys.leaves, ...stepSiteOutputs(result, siteOutputs)],
      };
    },
  };
  const traced = tracer.traceLoop(request);
  if (!traced.ok) {
    if (!traced.silent) warnOnce(traced.reason, length);
    return undefined;
  }
  let k = 0;
  const ys = ysTree.rebuild(ysTree.leaves.map(() => traced.stacked[k++]));
  for (const out of siteOutputs) {
    const msg = first.sites.get(out.name)!;
    const d = state.decisions.get(out.name)!;
    const fromRow = out.row === undefined ? undefined : xs.leaves[out.row];
    if (msg.type === "deterministic") {
      yield {
        type: "deterministic",
        name: out.name,
        value: out.value
          ? traced.stacked[k++]
          : (d.series ?? fromRow ?? emptySeries(msg.value as tf.Tensor, length)),
        plates: msg.plates.slice(0, d.innerFrames),
        stop: false,
      };
      continue;
    }
    const logProb = traced.stacked[k++];
    const rank = msg.fn.batchShape.length + msg.fn.eventShape.length;
    const value = out.value
      ? promoteStacked(traced.stacked[k++], rank)
      : (d.series ??
        (fromRow === undefined
          ? emptySeries(reshapePadded(msg.value as tf.Tensor, rank), length)
          : promoteStacked(fromRow, rank)));
    const scale = out.scale
      ? promoteStacked(traced.stacked[k++], msg.fn.batchShape.length)
      : msg.scale;
    const mask = out.mask
      ? tf.cast(promoteStacked(traced.stacked[k++], msg.fn.batchShape.length), "bool")
      : msg.mask;
    yield {
      type: "sample",
      name: out.name,
      fn: new ScannedDistribution(out.name, undefined, { value, logProb }, d.ownBatchRank, msg.fn, [
        length,
        ...msg.fn.batchShape,
      ]),
      value,
      isObserved: msg.isObserved,
      scale,
      mask,
      key: null,
      infer: { ...msg.infer },
      plates: msg.plates.slice(0, d.innerFrames),
      stop: false,
    };
  }
  return [init.rebuild(traced.carry), ys];
}

/** What the traced step outputs for each site (besides its log-probability). */
function siteOutputsOf(
  first: StepResult,
  state: ScanState,
  rows: readonly tf.Tensor[],
): SiteOutputs[] {
  return state.order.map((name) => {
    const msg = first.sites.get(name)!;
    const d = state.decisions.get(name)!;
    const index = rows.indexOf(msg.value as tf.Tensor);
    const row = d.series === null && index >= 0 ? index : undefined;
    const value = d.series === null && row === undefined && (msg.value as tf.Tensor).size > 0;
    if (msg.type === "deterministic") return { name, value, row, scale: false, mask: false };
    return {
      name,
      value,
      row,
      scale: msg.scale instanceof tf.Tensor,
      mask: msg.mask instanceof tf.Tensor,
    };
  });
}

/** The per-step outputs of the traced step for its sites, in the order `SiteOutputs` lists. */
function stepSiteOutputs(result: StepResult, outputs: readonly SiteOutputs[]): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const spec of outputs) {
    const msg = result.sites.get(spec.name)!;
    if (msg.type === "sample") out.push(msg.fn.logProb(msg.value as tf.Tensor));
    if (spec.value) out.push(msg.value as tf.Tensor);
    if (msg.type !== "sample") continue;
    if (spec.scale) out.push(msg.scale as tf.Tensor);
    if (spec.mask) out.push(tf.cast(msg.mask as tf.Tensor, "float32"));
  }
  return out;
}

function innerRank(msg: Message, own: number): number {
  return msg.type === "sample" ? own + msg.fn.eventShape.length : own;
}

/** Why the body cannot be traced once, if it cannot. */
function obstacleOf(state: ScanState, first: StepResult, init: FlatTree): string | undefined {
  for (const [key, d] of state.decisions) {
    if (d.outer.length > 0) {
      return `it runs inside plate "${d.outer[0].name}" (vmap, or particles batched by SVI)`;
    }
    if (d.type === "plate" && d.series === null && d.key !== null) {
      return `plate "${key.slice("plate:".length)}" inside the body subsamples`;
    }
  }
  for (const name of state.drawn) {
    return `site "${name}" is drawn inside the body rather than given a value`;
  }
  const carry = flattenTree(first.carry, "the carry returned by the body");
  if (carry.signature !== init.signature) return "the body changes the structure of the carry";
  for (let i = 0; i < init.leaves.length; i++) {
    const a = init.leaves[i];
    const b = carry.leaves[i];
    if (a.dtype !== b.dtype || a.rank !== b.rank || a.shape.some((n, j) => n !== b.shape[j])) {
      return `the carry ${init.paths[i]} changes from ${a.dtype} ${formatShape(a.shape)} to ${b.dtype} ${formatShape(b.shape)}`;
    }
  }
  return undefined;
}

/** Runs a step generator that must not yield (every site is decided already). */
function runToEnd<T>(gen: Generator<Message, T, unknown>): T {
  const next = gen.next();
  if (!next.done) throw new Error("scan: internal error: a traced step sent a message outward");
  return next.value;
}

/** A stacked output [T, ...own] with its own dims padded to `rank`. */
function promoteStacked(x: tf.Tensor, rank: number): tf.Tensor {
  const own = x.shape.slice(1);
  return own.length >= rank ? x : tf.reshape(x, [x.shape[0], ...padShape(own, rank)]);
}

/** The stacked form of a value of no elements (a factor's empty value). */
function emptySeries(step: tf.Tensor, length: number): tf.Tensor {
  return tf.zeros([length, ...step.shape]);
}
