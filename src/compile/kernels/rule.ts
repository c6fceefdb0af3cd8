/**
 * What the compiler knows about a kernel: how to emit it as float64 JavaScript. Rules come in
 * four kinds: elementwise (an expression per element, fused into loops), reduction (an
 * accumulator, fused as a loop's sink), view (no code: the output is the input's data under
 * another shape) and kernel (its own loops over whole arrays).
 */
import type { OpDefinition } from "../../custom-vjp/registry.js";
import type { Graph, GraphNode } from "../graph.js";

/** An elementwise kernel: output element from input elements, with NumPy broadcasting. */
export interface ElementwiseRule {
  readonly kind: "elementwise";
  /**
   * The output element as a JavaScript expression of the input elements. Each argument is a
   * local name or a number literal, so it may be repeated freely.
   */
  expr(args: readonly string[], node: GraphNode): string;
}

/** A reduction over some axes of its single input. */
export interface ReductionRule {
  readonly kind: "reduction";
  /** The accumulator's initial value (an expression). */
  readonly init: string;
  /** The accumulator after one more element (an expression of `acc` and `x`, both names). */
  update(acc: string, x: string): string;
  /** The result from the accumulator and the number of reduced elements (default: acc). */
  finish?(acc: string, count: number): string;
  /** The reduced axes of the input, from the node's attributes. */
  axes(node: GraphNode, inputShape: readonly number[]): number[];
}

/** A kernel whose output is its input's data under another shape. */
export interface ViewRule {
  readonly kind: "view";
}

/** What a kernel's emitter can ask for. */
export interface KernelContext {
  readonly graph: Graph;
  /** An expression for a Float64Array holding the whole value (row-major). */
  array(value: number): string;
  /** An expression for one element of the value at a flat index expression. */
  element(value: number, index: string): string;
  /** A fresh local name. */
  local(prefix: string): string;
  /**
   * A number passed to the step's function as an argument, so that steps differing only in
   * this number (slices at different offsets) share one emitted function.
   */
  number(n: number): string;
  /** A name for a preallocated Float64Array of `size` elements that only this kernel uses. */
  scratch(size: number): string;
  /** A name for constant data defined once, outside the per-call code. */
  table(values: ArrayLike<number>): string;
  /** A name for any JSON-able constant defined once (shapes, argument lists). */
  constant(json: unknown): string;
  /** An expression for a custom op's registry entry. */
  customOp(op: OpDefinition): string;
  /** An expression for a runtime helper (see emit/helpers.ts). */
  helper(name: string): string;
  /**
   * An expression for a graph emitted as a step program (see `emitProgram`'s `step` option):
   * an object `{ I, O, step }` whose `step()` computes the outputs `O[k]` (Float64Arrays, null
   * where absent) from the inputs it reads in `I[k]`. Loops (scan) call it once per iteration.
   */
  subprogram(graph: Graph): string;
  /** True when the output took over the first input's buffer (see KernelRule.inPlace). */
  readonly inPlace: boolean;
  /** True when emulating float32 (every computed value rounded): for rules that emit expressions. */
  readonly float32: boolean;
  /** The value of a constant whose elements are all equal (emitted as a literal), if it is one. */
  uniform(value: number): number | undefined;
  /** Whether anything reads the value (a node, or the program's outputs). */
  used(value: number): boolean;
}

/** A kernel emitted as its own loops. */
export interface KernelRule {
  readonly kind: "kernel";
  /** Statements computing every output of `node` into `ctx.array(output)`. */
  emit(node: GraphNode, ctx: KernelContext): string;
  /** The output may take over the buffer of the first input when nothing reads it afterwards. */
  readonly inPlace?: boolean;
}

/** Any rule. */
export type Rule = ElementwiseRule | ReductionRule | ViewRule | KernelRule;

/** A rule plus an optional check that names what this node needs and the rule lacks. */
export type CheckedRule = Rule & {
  /** Why this particular node cannot be compiled, or undefined when it can. */
  check?(node: GraphNode, graph: Graph): string | undefined;
};

/**
 * A number as an exact JavaScript literal (shortest round-trip form), parenthesized when
 * negative so that it composes with any operator.
 *
 * @example
 * literal(-0.5); // "(-0.5)"
 * literal(Number.NaN); // "NaN"
 */
export function literal(x: number): string {
  if (typeof x !== "number") throw new TypeError(`compile: literal of a ${typeof x}, not a number`);
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "(-Infinity)";
  if (Object.is(x, -0)) return "(-0)";
  return x < 0 ? `(${x})` : `${x}`;
}

/**
 * Statements setting the `size` elements of `array` to `value`: stores up to 16 elements,
 * `fill` beyond. TypedArray.prototype.fill is a call into V8's runtime that costs about 20 ns
 * whatever the size (a loop over 30 elements), which short series pay at every gradient.
 *
 * @example
 * fillStatement("out", 3, "0"); // "for (let i = 0; i < 3; i++) out[i] = 0;"
 */
export function fillStatement(array: string, size: number, value: string): string {
  if (size === 0) return "";
  if (size === 1) return `${array}[0] = ${value};`;
  if (size <= 16) return `for (let i = 0; i < ${size}; i++) ${array}[i] = ${value};`;
  return `${array}.fill(${value});`;
}

/**
 * Axes as tfjs accepts them (a number, a list, null for all, negatives from the end), sorted.
 *
 * @example
 * normalizeAxes(-1, 3); // [2]
 */
export function normalizeAxes(axis: unknown, rank: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list: unknown[] = Array.isArray(axis) ? axis : [axis];
  const axes = list.map((a) => {
    if (!Number.isInteger(a)) throw new TypeError("compile: an axis attribute is not an integer");
    return (a as number) < 0 ? (a as number) + rank : (a as number);
  });
  return [...new Set(axes)].sort((a, b) => a - b);
}

// Attribute readers for rules that write attributes into source: they return numbers or throw,
// so nothing but a number reaches the source (validate-graph.ts checks the graph as a whole).

/**
 * A number attribute (`fallback` when absent).
 *
 * @example
 * numberAttr(node, "onValue", 1); // 1 unless the node says otherwise
 */
export function numberAttr(node: GraphNode, name: string, fallback?: number): number {
  const value = node.attrs[name] ?? fallback;
  if (typeof value !== "number")
    throw new TypeError(`compile: kernel ${node.op}: attribute ${name} must be a number`);
  return value;
}

/**
 * A non-negative integer attribute (a size, a count, a depth).
 *
 * @example
 * sizeAttr(node, "depth"); // 3 for tf.oneHot(indices, 3)
 */
export function sizeAttr(node: GraphNode, name: string): number {
  const value = node.attrs[name];
  if (!(Number.isSafeInteger(value) && (value as number) >= 0))
    throw new TypeError(
      `compile: kernel ${node.op}: attribute ${name} must be a non-negative integer`,
    );
  return value as number;
}

/**
 * A list of integers (a permutation, slice bounds), or a single integer as a list of one.
 *
 * @example
 * integerListAttr(node, "perm"); // [1, 0] for a matrix transpose
 */
export function integerListAttr(node: GraphNode, name: string): number[] | undefined {
  const value = node.attrs[name];
  if (value === undefined || value === null) return undefined;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (!list.every((x) => Number.isSafeInteger(x)))
    throw new TypeError(`compile: kernel ${node.op}: attribute ${name} must be a list of integers`);
  return list as number[];
}
