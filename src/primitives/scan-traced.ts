/**
 * Scan while the compiled engine records (see scan.ts for the design): step 0 runs once under
 * the tracer's discovery, to meet the handlers outside and learn which outside tensors the body
 * computes with; then the tracer records a step function once and stands in one loop kernel for
 * all steps. The step function's inputs are the carry and one slice of each input with a time
 * dimension (the rows of `xs`, and whole-series values given from outside, such as the
 * potential's latent series); its outputs are the next carry and, to stack, the `y`s and each
 * site's log-probability (and value, scale, mask where the body gives them).
 */
import { ScannedDistribution } from "../dist/scanned.js";
import { ModelError } from "../errors.js";
import { tf } from "../tf.js";
import { formatShape, shapesEqual, tryBroadcastShapes } from "../util/shapes.js";
import type { Message } from "./messages.js";
import {
  chainCost,
  chainSiteMessage,
  checkNotChain,
  checkNotPrevious,
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
import { reshapePadded, stackedShape, timeAxis } from "./scan-time.js";
import type { ScanTracer, TracedLoopRequest } from "./scan-tracer.js";
import { type FlatTree, flattenTree } from "./scan-tree.js";

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

/** A per-step output and the number of its dims right of its time dimension. */
interface StepOutput {
  readonly tensor: tf.Tensor;
  readonly inner: number;
}

/**
 * The scan as one loop kernel of the compiled engine, or undefined (after a warning where the
 * cause is the scan's own) when the steps must be recorded one by one.
 *
 * @example
 * const traced = yield* tracedScan(tracer, body, init, xs, state);
 */
export function* tracedScan(
  tracer: ScanTracer,
  body: Body,
  init: FlatTree,
  xs: FlatTree,
  state: ScanState,
): Generator<Message, [unknown, unknown] | undefined, unknown> {
  const length = state.length;
  state.valueAt = (name, series, inner, t) => {
    const axis = timeAxis(series.shape, inner);
    if (axis < 0) return series;
    if (series.shape[axis] !== length) {
      throw new ModelError({
        message: `scan: the value given to "${name}" of shape ${formatShape(series.shape)} has ${series.shape[axis]} entries along its time dimension (dim ${axis - series.rank}), but the scan has ${length} steps`,
        site: name,
      });
    }
    return tracer.copy(series, t, axis);
  };
  // Step 0, once, to meet the handlers outside and see what the body reads from outside.
  const discovery = tracer.startDiscovery();
  state.hooks = { before: () => discovery.pause(), after: () => discovery.resume() };
  let first!: StepResult;
  let siteOutputs!: SiteOutputs[];
  let firstOutputs!: StepOutput[];
  let found!: ReturnType<typeof discovery.finish>;
  try {
    const carry = init.rebuild(init.leaves.map((leaf) => tracer.copy(leaf)));
    const rows = xs.leaves.map((leaf) => tracer.copy(leaf, 0));
    first = yield* runStep(body, carry, xs.rebuild(rows), 0, state);
    siteOutputs = siteOutputsOf(first, state, rows);
    // The outputs are computed here too, so that discovery sees what they read (log-densities).
    firstOutputs = stepOutputs(first, siteOutputs, state);
    // Under enumeration the step's factor reads the same tensors (scan-chain.ts).
    const chain = scanChainOf(state, first);
    if (chain !== undefined) stepFactor(chain, first, state);
  } finally {
    state.hooks = undefined;
    found = discovery.finish();
  }
  state.decided = true;
  if (!found.ok) {
    if (!found.silent) warnOnce(found.reason, length);
    return undefined;
  }
  const chain = scanChainOf(state, first);
  if (chain !== undefined) {
    const outputs = siteOutputs.filter(
      (o) => state.decisions.get(o.name)?.enumerated === undefined,
    );
    return yield* tracedChain(tracer, body, init, xs, state, first, found.captured, chain, outputs);
  }
  const carryLeaves = fittedCarry(init, first);
  const obstacle =
    obstacleOf(state) ??
    (typeof carryLeaves === "string" ? carryLeaves : undefined) ??
    noRoomOf(firstOutputs);
  if (obstacle !== undefined || typeof carryLeaves === "string") {
    warnOnce(obstacle ?? "", length);
    return undefined;
  }

  const ysTree = flattenTree(first.y, "y");
  const seriesSites = state.order.flatMap((name) => {
    const d = state.decisions.get(name)!;
    const msg = first.sites.get(name)!;
    const axis = d.series === null ? -1 : timeAxis(d.series.shape, innerRank(msg, d.ownBatchRank));
    return axis < 0 ? [] : [{ name, tensor: d.series!, axis }];
  });
  const stackedAxes = firstOutputs.map((o) => timeAxis(o.tensor.shape, o.inner));
  const request: TracedLoopRequest = {
    length,
    carry: carryLeaves,
    sliced: [
      ...xs.leaves.map((tensor) => ({ tensor, axis: 0 })),
      ...seriesSites.map(({ tensor, axis }) => ({ tensor, axis })),
    ],
    captured: found.captured,
    stackedAxes,
    step: (carryIn, rows) => {
      const seriesRows = new Map(seriesSites.map((s, i) => [s.name, rows[xs.leaves.length + i]]));
      state.valueAt = (name, series) => seriesRows.get(name) ?? series;
      const x = xs.rebuild(rows.slice(0, xs.leaves.length));
      const result = runToEnd(runStep(body, init.rebuild(carryIn), x, 0, state));
      const carry = flattenTree(result.carry, "the carry returned by the body");
      if (carry.signature !== init.signature) throw carryStructureError(init, carry);
      const outputs = stepOutputs(result, siteOutputs, state);
      if (flattenTree(result.y, "y").signature !== ysTree.signature) {
        throw new ModelError({
          message: "scan: the body's output y changes structure between runs",
        });
      }
      return { carry: carry.leaves, stacked: outputs.map((o) => o.tensor) };
    },
  };
  const traced = tracer.traceLoop(request);
  if (!traced.ok) {
    if (!traced.silent) warnOnce(traced.reason, length);
    return undefined;
  }
  let k = 0;
  const next = () => traced.stacked[k++];
  const ys = ysTree.rebuild(ysTree.leaves.map(next));
  for (const out of siteOutputs) yield tracedRecord(out, first, state, xs, next, true);
  return [init.rebuild(traced.carry), ys];
}

/**
 * A site's record after the traced loop: its value (and scale and mask) stacked from the loop's
 * outputs, which `next` reads in order, or from a series given outside, the rows of xs, zeros
 * for a factor's empty value. With `logProb` the loop also output its log-probability (first),
 * which the record's distribution scores the value with.
 */
function tracedRecord(
  out: SiteOutputs,
  first: StepResult,
  state: ScanState,
  xs: FlatTree,
  next: () => tf.Tensor,
  logProbs: boolean,
): Message {
  const length = state.length;
  const msg = first.sites.get(out.name)!;
  const d = state.decisions.get(out.name)!;
  /** The stacked shape of a per-step output of `step` shape with `inner` own dims. */
  const stacked = (step: readonly number[], inner: number): tf.Tensor =>
    out.value
      ? next()
      : (d.series ??
        (out.row === undefined
          ? tf.zeros(stackedShape(step, timeAxis(step, inner), length))
          : tf.reshape(xs.leaves[out.row], stackedShape(step, timeAxis(step, inner), length))));
  if (msg.type === "deterministic") {
    return {
      type: "deterministic",
      name: out.name,
      value: stacked((msg.value as tf.Tensor).shape, d.ownBatchRank),
      plates: msg.plates.slice(0, d.innerFrames),
      stop: false,
    };
  }
  const logProb = logProbs ? next() : undefined;
  const rank = msg.fn.batchShape.length + msg.fn.eventShape.length;
  const inner = d.ownBatchRank + msg.fn.eventShape.length;
  const value = stacked(reshapePadded(msg.value as tf.Tensor, rank).shape, inner);
  const scale = out.scale ? next() : msg.scale;
  const mask = out.mask ? tf.cast(next(), "bool") : msg.mask;
  const batchShape = stackedShape(
    msg.fn.batchShape,
    timeAxis(msg.fn.batchShape, d.ownBatchRank),
    length,
  );
  return {
    type: "sample",
    name: out.name,
    fn:
      logProb === undefined
        ? msg.fn
        : ScannedDistribution(
            out.name,
            undefined,
            { value, logProb },
            d.ownBatchRank,
            msg.fn,
            batchShape,
          ),
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

/**
 * The per-step outputs to stack: the `y` leaves, then per site its log-probability and, as
 * `SiteOutputs` says, its value, scale and mask, each padded to the site's full rank as the
 * eager scan stacks them.
 */
function stepOutputs(
  result: StepResult,
  outputs: readonly SiteOutputs[],
  state: ScanState,
  logProbs = true,
): StepOutput[] {
  const outer = outerFrames(state);
  const out: StepOutput[] = flattenTree(result.y, "y").leaves.map((tensor) => ({
    tensor,
    inner: ownRank(tensor.shape, outer),
  }));
  for (const spec of outputs) {
    const msg = result.sites.get(spec.name)!;
    const d = state.decisions.get(spec.name)!;
    if (msg.type === "deterministic") {
      if (spec.value) out.push({ tensor: msg.value as tf.Tensor, inner: d.ownBatchRank });
      continue;
    }
    const batchRank = msg.fn.batchShape.length;
    const event = msg.fn.eventShape.length;
    const own = d.ownBatchRank;
    if (logProbs) {
      const logProb = msg.fn.logProb(msg.value as tf.Tensor);
      out.push({ tensor: reshapePadded(logProb, batchRank), inner: own });
    }
    if (spec.value) {
      out.push({
        tensor: reshapePadded(msg.value as tf.Tensor, batchRank + event),
        inner: own + event,
      });
    }
    if (spec.scale)
      out.push({ tensor: reshapePadded(msg.scale as tf.Tensor, batchRank), inner: own });
    if (spec.mask) {
      out.push({
        tensor: reshapePadded(tf.cast(msg.mask as tf.Tensor, "float32"), batchRank),
        inner: own,
      });
    }
  }
  return out;
}

function innerRank(msg: Message, own: number): number {
  return msg.type === "sample" ? own + msg.fn.eventShape.length : own;
}

/** Why the body cannot be traced once, if it cannot (sites it draws, subsampling plates). */
function obstacleOf(state: ScanState): string | undefined {
  for (const [key, d] of state.decisions) {
    if (d.type === "plate" && d.series === null && d.key !== null) {
      return `plate "${key.slice("plate:".length)}" inside the body subsamples`;
    }
  }
  for (const name of state.drawn) {
    return `site "${name}" is drawn inside the body rather than given a value`;
  }
  return undefined;
}

/**
 * The initial carry's leaves at the shapes the body returns (an initial carry broadcasts to
 * the batch of outside plates, as the eager loop lets it), or why it cannot be.
 */
function fittedCarry(init: FlatTree, first: StepResult): tf.Tensor[] | string {
  const carry = flattenTree(first.carry, "the carry returned by the body");
  if (carry.signature !== init.signature) return "the body changes the structure of the carry";
  const fitted: tf.Tensor[] = [];
  for (let i = 0; i < init.leaves.length; i++) {
    const a = init.leaves[i];
    const b = carry.leaves[i];
    const target = tryBroadcastShapes(a.shape, b.shape);
    if (a.dtype !== b.dtype || target === undefined || target.join() !== b.shape.join()) {
      return `the carry ${init.paths[i]} changes from ${a.dtype} ${formatShape(a.shape)} to ${b.dtype} ${formatShape(b.shape)}`;
    }
    fitted.push(a.shape.join() === b.shape.join() ? a : tf.broadcastTo(a, b.shape));
  }
  return fitted;
}

/** An output whose time dimension would fall on a dim of more than one entry. */
function noRoomOf(outputs: readonly StepOutput[]): string | undefined {
  for (const { tensor, inner } of outputs) {
    const axis = timeAxis(tensor.shape, inner);
    if (axis >= 0 && tensor.shape[axis] !== 1) {
      return `an output of shape ${formatShape(tensor.shape)} has no room for the time dimension left of its last ${inner} dims`;
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

/**
 * An enumerated scan (a markov chain; scan-chain.ts) as one loop kernel: the carry gains the
 * forward message alpha, every step moves the carry's states to the previous dims, runs the
 * body and folds its factor into alpha; the sites' log-probabilities are not stacked. The carry
 * starts at the shapes the steps give it (the initial carry broadcast to them), and alpha at a
 * constant that the first step's sum over the previous dims, along which everything is then
 * constant, cancels.
 */
function* tracedChain(
  tracer: ScanTracer,
  body: Body,
  init: FlatTree,
  xs: FlatTree,
  state: ScanState,
  first: StepResult,
  captured: readonly tf.Tensor[],
  chain: ScanChain,
  siteOutputs: readonly SiteOutputs[],
): Generator<Message, [unknown, unknown] | undefined, unknown> {
  const length = state.length;
  const fail = (reason: string) => {
    warnOnce(reason, length);
    return undefined;
  };
  const firstCarry = flattenTree(first.carry, "the carry returned by the body");
  if (firstCarry.signature !== init.signature)
    return fail("the body changes the structure of the carry");
  const shapes: number[][] = [];
  for (let i = 0; i < init.leaves.length; i++) {
    const a = init.leaves[i];
    const b = firstCarry.leaves[i];
    const shape = tryBroadcastShapes(a.shape, b.shape);
    if (a.dtype !== b.dtype || shape === undefined) {
      return fail(
        `the carry ${init.paths[i]} changes from ${a.dtype} ${formatShape(a.shape)} to ${b.dtype} ${formatShape(b.shape)}`,
      );
    }
    shapes.push(shape);
  }
  // alpha's shape after the first step, and the constant it starts at.
  const alphaShape = forward(chain, undefined, stepFactor(chain, first, state), "sum").shape;
  const start = -chain.sites.reduce((s, site) => {
    const axis = alphaShape.length + site.current;
    return axis >= 0 ? s + Math.log(alphaShape[axis]) : s;
  }, 0);
  const firstOutputs = stepOutputs(first, siteOutputs, state, false);
  const obstacle = obstacleOf(state) ?? noRoomOf(firstOutputs);
  if (obstacle !== undefined) return fail(obstacle);
  const ysTree = flattenTree(first.y, "y");
  const seriesSites = state.order.flatMap((name) => {
    const d = state.decisions.get(name)!;
    const msg = first.sites.get(name)!;
    const axis = d.series === null ? -1 : timeAxis(d.series.shape, innerRank(msg, d.ownBatchRank));
    return axis < 0 ? [] : [{ name, tensor: d.series!, axis }];
  });
  const nc = init.leaves.length;
  const request: TracedLoopRequest = {
    length,
    carry: [
      ...init.leaves.map((leaf, i) =>
        shapesEqual(leaf.shape, shapes[i]) ? leaf : tf.broadcastTo(leaf, shapes[i]),
      ),
      tf.fill(alphaShape, start),
    ],
    sliced: [
      ...xs.leaves.map((tensor) => ({ tensor, axis: 0 })),
      ...seriesSites.map(({ tensor, axis }) => ({ tensor, axis })),
    ],
    captured,
    stackedAxes: firstOutputs.map((o) => timeAxis(o.tensor.shape, o.inner)),
    step: (carryIn, rows) => {
      const seriesRows = new Map(seriesSites.map((s, i) => [s.name, rows[xs.leaves.length + i]]));
      state.valueAt = (name, series) => seriesRows.get(name) ?? series;
      const x = xs.rebuild(rows.slice(0, xs.leaves.length));
      const moved = carryIn.slice(0, nc).map((leaf) => toPrevious(chain, leaf, "the carry"));
      const result = runToEnd(runStep(body, init.rebuild(moved), x, 0, state));
      const carry = flattenTree(result.carry, "the carry returned by the body");
      if (carry.signature !== init.signature) throw carryStructureError(init, carry);
      for (const y of flattenTree(result.y, "y").leaves)
        checkNotChain(chain, y, "the body's output y");
      const leaves = carry.leaves.map((leaf, i) => {
        checkNotPrevious(chain, leaf, "the carry");
        return shapesEqual(leaf.shape, shapes[i]) ? leaf : tf.broadcastTo(leaf, shapes[i]);
      });
      const alpha = forward(chain, carryIn[nc], stepFactor(chain, result, state), "sum");
      const outputs = stepOutputs(result, siteOutputs, state, false);
      return { carry: [...leaves, alpha], stacked: outputs.map((o) => o.tensor) };
    },
  };
  const traced = tracer.traceLoop(request);
  if (!traced.ok) {
    if (!traced.silent) warnOnce(traced.reason, length);
    return undefined;
  }
  let k = 0;
  const next = () => traced.stacked[k++];
  const ys = ysTree.rebuild(ysTree.leaves.map(next));
  const message = {
    last: traced.carry[nc],
    cost: chainCost(chain, alphaShape, stepFactor(chain, first, state).shape, length),
  };
  for (const name of state.order) {
    if (state.decisions.get(name)?.enumerated !== undefined) {
      yield chainSiteMessage(chain, state, first, name, undefined, message);
      continue;
    }
    const out = siteOutputs.find((o) => o.name === name);
    if (out === undefined) continue;
    const record = tracedRecord(out, first, state, xs, next, false);
    yield record.type === "sample"
      ? chainSiteMessage(chain, state, first, name, record, message)
      : record;
  }
  const carry = traced.carry.slice(0, nc);
  return [init.rebuild(carry), ys];
}
