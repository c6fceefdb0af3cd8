/**
 * A scan traced once: the body's step as a sub-graph and its vector-Jacobian product as
 * another, with the shapes the loop kernels need. It travels as the `plan` attribute of the
 * TycheScan and TycheScanGrad nodes; the emitted loops inline both sub-graphs.
 *
 * Kernel layouts (n_c carry leaves, n_r sliced inputs, n_k captured tensors, n_s stacked outputs):
 * - TycheScan(carry_1..n_c, sliced_1..n_r, captured_1..n_k) ->
 *   (carries [T + 1, carry size], last carry_1..n_c, stacked_1..n_s [T, ...],
 *   residual_1..n_q [T, ...]); `carries` row t is the carry entering step t, and the residuals
 *   are what the backward pass reads of each step.
 * - TycheScanGrad(carry.., sliced.., captured.., carries, dLastCarry.., dStacked.., residual..)
 *   -> (dCarry.., dSliced.., dCaptured..), each of its input's shape.
 * - TycheScanFused (fuse.ts): both in one loop forward in time, where the carry's cotangent is
 *   not needed: TycheScan's inputs, then dLastCarry.., dStacked.. -> TycheScan's outputs, then
 *   TycheScanGrad's.
 *
 * A stacked output of single numbers that only a total Sum reads is summed in the loop: its
 * index is in the node's `summed` attribute and the node outputs the total (shape []).
 */
import { sizeOf } from "../../util/shapes.js";
import type { DType, Graph, ValueInfo } from "../graph.js";

/** The traced form of one scan. */
export interface ScanPlan {
  /** Unique per plan: what common-subexpression elimination compares. */
  readonly id: number;
  /** Number of steps. */
  readonly length: number;
  /** The carry's leaves. */
  readonly carry: readonly ValueInfo[];
  /** One row of each sliced input, as the step sees it. */
  readonly rows: readonly ValueInfo[];
  /** The sliced inputs, whole. */
  readonly rowsFull: readonly ValueInfo[];
  /** Where each row sits in its input. */
  readonly rowLayouts: readonly TimeLayout[];
  /** The tensors from outside the scan that the body reads. */
  readonly captured: readonly ValueInfo[];
  /** One step of each stacked output. */
  readonly stacked: readonly ValueInfo[];
  /** The stacked outputs, whole. */
  readonly stackedFull: readonly ValueInfo[];
  /** Where each step's row sits in its stacked output. */
  readonly stackedLayouts: readonly TimeLayout[];
  /** One step of each value the forward loop keeps for the backward loop (residuals.ts). */
  readonly residuals: readonly ValueInfo[];
  /**
   * One step. Inputs: carry, rows, captured. Outputs: -1, then the next carry's leaves, the
   * stacked outputs' rows and the residuals.
   */
  readonly forward: Graph;
  /**
   * The step's vector-Jacobian product. Inputs: carry, rows, captured, the cotangents of the
   * next carry and of the stacked rows, then the residuals. Outputs: -1, then the cotangents of
   * carry, rows and captured (-1 where identically zero).
   */
  readonly backward: Graph;
  /**
   * Step and vector-Jacobian product in one graph, for a loop that runs both forward in time
   * (fuse.ts). Inputs: carry, rows, captured, the cotangents of the next carry and of the
   * stacked rows. Outputs: -1, the next carry's leaves, the stacked rows, then the cotangents
   * of carry, rows and captured (-1 where identically zero).
   */
  readonly joint: Graph;
  toJSON(): string;
}

/**
 * A tensor with a time dimension, as `outer` blocks of `length` rows of `inner` numbers: row t
 * is the `outer` runs of `inner` numbers at (o * length + t) * inner.
 */
export interface TimeLayout {
  readonly outer: number;
  readonly length: number;
  readonly inner: number;
}

/**
 * The layout of a tensor of `shape` whose time dimension is `axis`.
 *
 * @example
 * timeLayout([4, 10, 3], 1); // { outer: 4, length: 10, inner: 3 }
 */
export function timeLayout(shape: readonly number[], axis: number): TimeLayout {
  return {
    outer: sizeOf(shape.slice(0, axis)),
    length: shape[axis],
    inner: sizeOf(shape.slice(axis + 1)),
  };
}

/**
 * Row `t` of values laid out as `layout` (a copy).
 *
 * @example
 * gatherRow(Float32Array.of(1, 2, 3, 4), { outer: 2, length: 2, inner: 1 }, 1); // [2, 4]
 */
export function gatherRow<A extends Float32Array | Int32Array | Uint8Array>(
  values: A,
  layout: TimeLayout,
  t: number,
): A {
  const { outer, length, inner } = layout;
  const out = values.slice(0, outer * inner) as A;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out[o * inner + i] = values[(o * length + t) * inner + i];
  }
  return out;
}

let nextId = 0;
// The plans made here: the graph validator accepts a plan attribute only if it is one of them.
const madePlans = new WeakSet<object>();

/**
 * Whether `value` is a plan made by `makePlan` (not an object from model code that looks like one).
 *
 * @example
 * isScanPlan(node.attrs.plan); // true for TycheScan nodes
 */
export function isScanPlan(value: unknown): value is ScanPlan {
  return typeof value === "object" && value !== null && madePlans.has(value);
}

/**
 * A plan from its parts (assigning its id).
 *
 * @example
 * const plan = makePlan({ length: 100, carry, rows, captured, stacked, forward, backward });
 */
export function makePlan(parts: Omit<ScanPlan, "id" | "toJSON">): ScanPlan {
  const id = nextId++;
  const plan: ScanPlan = { ...parts, id, toJSON: () => `scan-plan-${id}` };
  madePlans.add(plan);
  return plan;
}

/**
 * The step inputs that stay the same over the loop: the captured tensors.
 *
 * @example
 * invariantInputs(plan); // Set { 2 } for one carry leaf, one row and one captured tensor
 */
export function invariantInputs(plan: ScanPlan): Set<number> {
  const first = plan.carry.length + plan.rows.length;
  return new Set(plan.captured.map((_, k) => first + k));
}

/** The number of numbers in one carry (all leaves). */
export function carrySize(plan: ScanPlan): number {
  return plan.carry.reduce((n, c) => n + sizeOf(c.shape), 0);
}

/**
 * The outputs of TycheScan.
 *
 * @example
 * forwardOutputs(plan).map((o) => o.shape); // [[101, 1], [], [100]]
 */
export function forwardOutputs(plan: ScanPlan): ValueInfo[] {
  const float32: DType = "float32";
  return [
    { shape: [plan.length + 1, carrySize(plan)], dtype: float32 },
    ...plan.carry,
    ...plan.stackedFull,
    ...plan.residuals.map((s) => ({ shape: [plan.length, ...s.shape], dtype: s.dtype })),
  ];
}

/**
 * The inputs of TycheScan.
 *
 * @example
 * forwardInputs(plan).length; // carry leaves + sliced inputs + captured tensors
 */
export function forwardInputs(plan: ScanPlan): ValueInfo[] {
  return [...plan.carry, ...plan.rowsFull, ...plan.captured];
}

/**
 * The outputs of TycheScanGrad: one gradient per input of TycheScan, of its shape.
 *
 * @example
 * gradientOutputs(plan).length === forwardInputs(plan).length; // true
 */
export function gradientOutputs(plan: ScanPlan): ValueInfo[] {
  return forwardInputs(plan).map((v) => ({ shape: v.shape, dtype: "float32" }));
}
