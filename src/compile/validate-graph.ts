/**
 * The gate between recorded graphs and generated source. The emitter writes shapes and kernel
 * attributes into JavaScript source, and those come from user code (`tf.oneHot(x, depth)` with
 * a depth read from JSON): a string that reached the source would run as code. So every graph
 * is checked before anything is emitted from it (tracing, constant folding and emission all
 * pass here): shapes are lists of non-negative safe integers, and attributes are numbers,
 * booleans, null, arrays of those, typed arrays, or short identifier-like strings (dtype names,
 * "valid", "NHWC": tfjs's enumerations). Rules that write an attribute into source read it
 * through the checked readers of kernels/rule.ts, so a number attribute is a number there.
 * The one structured attribute is a scan's plan (made by compile/scan/plan.ts, never by model
 * code): its step graphs are checked like any graph, and its sizes like shapes.
 */
import type { Graph, GraphNode, ValueInfo } from "./graph.js";
import { isScanPlan, type ScanPlan } from "./scan/plan.js";

// tfjs's string attributes are enumerations: dtypes, padding modes, data formats.
const ENUMERATION = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/**
 * Why a graph cannot be emitted safely (a malformed shape or attribute), or undefined.
 *
 * @example
 * unsafeGraphReason(graph); // 'kernel OneHot: attribute depth must be a number, got the string "2 && x()"'
 */
export function unsafeGraphReason(graph: Graph): string | undefined {
  const producers = new Map<number, GraphNode>();
  for (const node of graph.nodes) {
    for (const v of node.outputs) producers.set(v, node);
    for (const [key, value] of Object.entries(node.attrs)) {
      const problem = attributeProblem(value, 0);
      if (problem !== undefined) return `kernel ${node.op}: attribute ${key} ${problem}`;
    }
  }
  for (let v = 0; v < graph.values.length; v++) {
    const shape = graph.values[v].shape;
    if (Array.isArray(shape) && shape.every(isSize)) continue;
    const op = producers.get(v)?.op;
    return `${op === undefined ? `value ${v}` : `the output of kernel ${op}`} has shape ${describe(shape)}; a shape must be a list of non-negative integers`;
  }
  return undefined;
}

/**
 * Throws unless `unsafeGraphReason(graph)` is undefined.
 *
 * @example
 * assertSafeGraph(graph); // before emitting source from it
 */
export function assertSafeGraph(graph: Graph): void {
  const reason = unsafeGraphReason(graph);
  if (reason !== undefined) throw new Error(`compile: ${reason}`);
}

function isSize(d: unknown): boolean {
  return typeof d === "number" && Number.isSafeInteger(d) && d >= 0;
}

function attributeProblem(value: unknown, depth: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (isScanPlan(value)) return planProblem(value);
  switch (typeof value) {
    case "number":
    case "boolean":
      return undefined;
    case "string":
      return ENUMERATION.test(value)
        ? undefined
        : `must be a number, got the string ${describe(value)}`;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return undefined; // numbers only
  if (Array.isArray(value) && depth < 8) {
    for (const item of value) {
      const problem = attributeProblem(item, depth + 1);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  return `must be a number or a list of numbers, got ${describe(value)}`;
}

// A scan plan: its step graphs, the shapes of its values and the numbers of its layouts.
function planProblem(plan: ScanPlan): string | undefined {
  const infos: readonly ValueInfo[] = [
    ...plan.carry,
    ...plan.rows,
    ...plan.rowsFull,
    ...plan.captured,
    ...plan.stacked,
    ...plan.stackedFull,
    ...plan.residuals,
  ];
  const numbers = [
    plan.id,
    plan.length,
    ...[...plan.rowLayouts, ...plan.stackedLayouts].flatMap((l) => [l.outer, l.length, l.inner]),
  ];
  if (!numbers.every(isSize)) return "(a scan plan) has a size that is not a non-negative integer";
  const bad = infos.find((v) => !(Array.isArray(v.shape) && v.shape.every(isSize)));
  if (bad !== undefined) return `(a scan plan) has a value of shape ${describe(bad.shape)}`;
  const inner =
    unsafeGraphReason(plan.forward) ??
    unsafeGraphReason(plan.backward) ??
    unsafeGraphReason(plan.joint);
  return inner === undefined ? undefined : `(a scan plan): ${inner}`;
}

/** A short description of a value for messages; runs no user code (no toString, no toJSON). */
function describe(value: unknown, depth = 0): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (value === null || value === undefined) text = String(value);
  else if (Array.isArray(value) && depth < 2)
    text = `[${value.map((item) => describe(item, depth + 1)).join(", ")}]`;
  else text = Object.prototype.toString.call(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
