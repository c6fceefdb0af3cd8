/**
 * One step of a scan body: the body runs as a generator whose messages scan handles itself,
 * as NumPyro's scan does inside `lax.scan`. The first time a site appears, a probe of it goes
 * out through the handlers outside the scan (see `SiteDecision`); every step then applies what
 * they decided: a slice of a whole-series value, a key folded with the step index, the plates
 * outside the scan. Handlers inside the body (plates, scale, mask, ...) act as usual.
 */
import { ModelError } from "../errors.js";
import { tf } from "../tf.js";
import { tryBroadcastShapes } from "../util/shapes.js";
import type { InferOptions, Message, PlateFrame, SampleMessage } from "./messages.js";
import { plateHandler } from "./plate.js";
import { foldIn, type Key } from "./prng.js";
import { applyDefault } from "./runtime.js";
import { padShape } from "./scan-time.js";
import type { FlatTree } from "./scan-tree.js";

/** What the handlers outside a scan decided for one of its sites (learned from its probe). */
export interface SiteDecision {
  readonly type: "sample" | "deterministic" | "plate";
  /** A value for all steps from outside (condition, substitute, replay, the potential's q). */
  readonly series: tf.Tensor | null;
  /** An outside handler dropped the value the body gave (resampleObserved): draw it instead. */
  readonly resample: boolean;
  readonly isObserved: boolean;
  /** The site's key (from seed); step t draws with foldIn(key, t). */
  readonly key: Key | null;
  /** Plates (and vmap) around the scan, innermost first. */
  readonly outer: readonly PlateFrame[];
  /** The plates inside the body that the site sits in (how many frames it had on arrival). */
  readonly innerFrames: number;
  /** The site's batch rank inside the body (the dims right of its time dimension, events aside). */
  readonly ownBatchRank: number;
  /**
   * An enumeration handler outside (`enumerate`) is active: the dims it had in use when the
   * probe passed, and where its dims start (see scan-enum.ts).
   */
  readonly enumeration?: {
    readonly firstAvailableDim: number;
    readonly dims: ReadonlyMap<number, number>;
  };
  /** The handler enumerated the site: every step takes its support on this variable's dim. */
  readonly enumerated?: EnumeratedSite;
}

/** A site of the body that the enumeration handler outside enumerated (from its probe). */
export interface EnumeratedSite {
  /** The variable the handler made of it, and its dim: the dim of the current step's value. */
  readonly id: number;
  readonly dim: number;
  readonly size: number;
  /** Its support on that dim, the value of the site at every step. */
  readonly support: tf.Tensor;
  /** The site's `infer` options as the handlers outside left them (marked for enumeration). */
  readonly infer: InferOptions;
}

/** A site's messages of one step, by name, and what the body returned. */
export interface StepResult {
  readonly carry: unknown;
  readonly y: unknown;
  readonly sites: Map<string, Extract<Message, { type: "sample" | "deterministic" }>>;
}

/** What the steps of one scan share. */
export interface ScanState {
  readonly length: number;
  readonly decisions: Map<string, SiteDecision>;
  /** Sample and deterministic sites, in the order of their first appearance. */
  readonly order: string[];
  /** Whether step 0 has run (no more probes: a new site is an error). */
  decided: boolean;
  /** Sample sites drawn inside the body (rather than given a value), by name. */
  readonly drawn: Set<string>;
  /** Called around each probe (the compiled engine stops watching the body meanwhile). */
  hooks?: { before(): void; after(): void };
  /** The step-t value of a site given a whole series from outside. */
  valueAt(name: string, series: tf.Tensor, inner: number, t: number): tf.Tensor;
}

/** A scan body, as scan runs it. */
export type Body = (carry: any, x: any) => Generator<Message, unknown, unknown>;

/** The plates (and vmap) around the scan, as its probes met them. */
export function outerFrames(state: ScanState): readonly PlateFrame[] {
  for (const d of state.decisions.values()) if (d.outer.length > 0) return d.outer;
  return [];
}

/** The error for a body whose carry changes structure. */
export function carryStructureError(init: FlatTree, next: FlatTree): ModelError {
  return new ModelError({
    message: `scan: the body returned a carry of structure ${next.signature} for an initial carry of structure ${init.signature}; the carry must keep its structure`,
  });
}

let bodyDepth = 0;

/**
 * Runs the body once, for step `t`.
 *
 * @example
 * const result = yield* runStep(body, carry, x, 0, state);
 */
export function* runStep(
  body: Body,
  carry: unknown,
  x: unknown,
  t: number,
  state: ScanState,
): Generator<Message, StepResult, unknown> {
  if (bodyDepth > 0) {
    throw new ModelError({
      message: "scan: a scan inside the body of another scan is not supported (nor in NumPyro)",
    });
  }
  const gen = body(carry, x);
  const sites: StepResult["sites"] = new Map();
  let next = advance(gen);
  while (!next.done) {
    const msg = next.value;
    if (msg.probe !== undefined) {
      throw new ModelError({
        message: "scan: a scan inside the body of another scan is not supported (nor in NumPyro)",
      });
    }
    if (msg.type === "param") {
      throw new ModelError({
        message: `scan: param("${msg.name}") inside the body of scan is not supported; declare it before the scan`,
        site: msg.name,
      });
    }
    const key = msg.type === "plate" ? `plate:${msg.name}` : msg.name;
    if (msg.type !== "plate" && sites.has(msg.name)) {
      throw new ModelError({
        message: `scan: the body visits site "${msg.name}" twice in one step; every site needs a unique name`,
        site: msg.name,
      });
    }
    let decision = state.decisions.get(key);
    if (decision === undefined) {
      if (state.decided) {
        throw new ModelError({
          message: `scan: step ${t} of the body visits ${msg.type === "plate" ? "plate" : "site"} "${msg.name}", which step 0 did not; every step must visit the same sites`,
          site: msg.name,
        });
      }
      decision = yield* probe(msg, state);
      state.decisions.set(key, decision);
      if (msg.type !== "plate") state.order.push(msg.name);
    }
    apply(msg, decision, t, state);
    if (msg.type !== "plate") sites.set(msg.name, msg);
    next = advance(gen);
  }
  if (state.decided) {
    for (const name of state.order) {
      if (!sites.has(name)) {
        throw new ModelError({
          message: `scan: step ${t} of the body does not visit site "${name}", which step 0 did; every step must visit the same sites`,
          site: name,
        });
      }
    }
  }
  const out = next.value;
  if (!Array.isArray(out) || out.length !== 2) {
    throw new ModelError({
      message:
        "scan: the body must return [carry, y] (a pair: the next carry and this step's output)",
    });
  }
  return { carry: out[0], y: out[1], sites };
}

function advance(gen: Generator<Message, unknown, unknown>): IteratorResult<Message, unknown> {
  bodyDepth++;
  try {
    return gen.next();
  } finally {
    bodyDepth--;
  }
}

// What probes carry where the body gave the value: the series shape, NaN-filled, so that
// handlers see its shape and a handler that computed with it would show.
const pendingValues = new WeakSet<tf.Tensor>();

function pending(shape: readonly number[]): tf.Tensor {
  const t = tf.fill(shape as number[], Number.NaN);
  pendingValues.add(t);
  return t;
}

/** Sends a probe of the site outward and reads what the handlers outside decided. */
function* probe(msg: Message, state: ScanState): Generator<Message, SiteDecision, unknown> {
  const length = state.length;
  const info = { length };
  let p: Message;
  switch (msg.type) {
    case "sample": {
      const rank = msg.fn.batchShape.length + msg.fn.eventShape.length;
      // The step's distribution (the probe's value, if any, has the series' shape): plates
      // outside meet it as they would a site inside them, and checkOuterFrames says what fails.
      p = {
        ...msg,
        plates: [...msg.plates],
        value: msg.value === null ? null : pending([length, ...padShape(msg.value.shape, rank)]),
        scale: null,
        mask: null,
        key: null,
        infer: { ...msg.infer },
        stop: false,
        probe: info,
      };
      break;
    }
    case "deterministic":
      p = {
        ...msg,
        plates: [...msg.plates],
        value: pending([length, ...(msg.value as tf.Tensor).shape]),
        stop: false,
        probe: info,
      };
      break;
    case "plate":
      p = { ...msg, plates: [...msg.plates], key: null, stop: false, probe: info };
      break;
    default:
      throw new Error(`scan: internal error: no probe for a ${msg.type} message`);
  }
  state.hooks?.before();
  try {
    yield p;
  } finally {
    state.hooks?.after();
  }
  const innerFrames = msg.plates.length;
  const outer = p.plates.slice(innerFrames);
  const enumeration = p.type === "sample" ? p.enumeration : undefined;
  const variable = enumeration?.variable;
  // An enumerated probe's value is its support, not a series for every step.
  const given =
    variable === undefined && p.value !== null && !pendingValues.has(p.value) ? p.value : null;
  const platesRank = Math.max(0, ...msg.plates.map((f) => -f.dim));
  const shapeRank =
    msg.type === "sample"
      ? ownRank(msg.fn.batchShape, outer, platesRank)
      : msg.type === "deterministic"
        ? ownRank((msg.value as tf.Tensor).shape, outer, platesRank)
        : 0;
  // Under enumeration, dims from the time slot leftwards are enumeration dims, not the site's.
  const ownBatchRank =
    enumeration === undefined
      ? shapeRank
      : Math.max(platesRank, Math.min(shapeRank, -enumeration.firstAvailableDim - 2));
  if (msg.type !== "plate") checkOuterFrames(msg.name, outer, ownBatchRank);
  return {
    type: msg.type,
    series: given,
    resample: msg.type === "sample" && p.value === null && msg.value !== null,
    isObserved: p.type === "sample" ? p.isObserved : false,
    key: p.type === "sample" || p.type === "plate" ? p.key : null,
    outer,
    innerFrames,
    ownBatchRank,
    enumeration:
      enumeration === undefined
        ? undefined
        : { firstAvailableDim: enumeration.firstAvailableDim, dims: enumeration.dims },
    enumerated:
      variable === undefined || p.type !== "sample" || p.value === null
        ? undefined
        : { ...variable, support: p.value, infer: p.infer },
  };
}

/** Applies the outside decisions to a step's message, then the default behaviour. */
function apply(msg: Message, d: SiteDecision, t: number, state: ScanState): void {
  for (const frame of d.outer) plateHandler(frame).process?.(msg);
  switch (msg.type) {
    case "plate":
      if (d.series !== null) msg.value = d.series;
      else if (msg.value === null && msg.subsampleSize !== msg.size && d.key !== null)
        msg.key = foldIn(d.key, t);
      applyDefault(msg);
      return;
    case "deterministic":
      if (d.series !== null) msg.value = state.valueAt(msg.name, d.series, d.ownBatchRank, t);
      return;
    case "sample":
      applySample(msg, d, t, state);
      return;
  }
}

function applySample(msg: SampleMessage, d: SiteDecision, t: number, state: ScanState): void {
  const inner = d.ownBatchRank + msg.fn.eventShape.length;
  if (d.enumerated !== undefined) {
    msg.value = d.enumerated.support;
    msg.isObserved = false;
    applyDefault(msg);
    return;
  }
  if (d.series !== null) {
    msg.value = state.valueAt(msg.name, d.series, inner, t);
  } else if (d.resample && msg.value !== null) {
    const batch = msg.value.shape.slice(0, msg.value.rank - msg.fn.eventShape.length);
    const target = tryBroadcastShapes(batch, msg.fn.batchShape);
    if (target !== undefined) msg.fn = msg.fn.expand(target);
    msg.value = null;
  }
  msg.isObserved = d.isObserved;
  if (msg.value === null) {
    state.drawn.add(msg.name);
    if (d.key !== null) msg.key = foldIn(d.key, t);
  }
  applyDefault(msg);
}

/**
 * The rank of a value's own dims inside a scan (right of its time dimension): all of them
 * without plates outside; else the dims right of the innermost outside plate, less the leading
 * 1s that broadcasting against the outside batch put there (but not less than `atLeast`, the
 * rank of the plates inside the body around it). A dim of size 1 of the value's own is taken
 * for such padding: under vmap, such a site comes out without it.
 *
 * @example
 * ownRank([100, 1, 5], [vmapFrameAtDim3]); // 1: [1, 5] are its own dims, the 1 is padding
 */
export function ownRank(
  shape: readonly number[],
  outer: readonly PlateFrame[],
  atLeast = 0,
): number {
  if (outer.length === 0) return shape.length;
  const innermost = Math.min(...outer.map((f) => -f.dim));
  const own = shape.slice(Math.max(0, shape.length - (innermost - 1)));
  let lead = 0;
  while (lead < own.length - atLeast && own[lead] === 1) lead++;
  return own.length - lead;
}

function checkOuterFrames(site: string, outer: readonly PlateFrame[], ownBatchRank: number): void {
  for (const frame of outer) {
    if (frame.dim > -(ownBatchRank + 2)) {
      throw new ModelError({
        message:
          `scan: plate "${frame.name}" (dim ${frame.dim}) encloses the scan, but site "${site}" inside the body has ` +
          `${ownBatchRank} batch dims and its time dimension at dim ${-(ownBatchRank + 1)}: put the plate inside the ` +
          "body (as NumPyro requires), or give it a dim further left",
        site,
      });
    }
  }
}
