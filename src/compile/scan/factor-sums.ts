/**
 * Loop-invariant factors out of the sums over a scan's steps. A step output that the loop sums
 * (a per-step log density, the gradient of a parameter read by every step) is often an
 * invariant affine function of something simpler: -0.5 * z^2 - log(sigma) - log(2 pi) / 2, or
 * -(r / sigma) * y. Summing z^2 and r * y instead, and applying the shift and scale once after
 * the loop (`shift * T + scale * sum`), takes those products and sums out of every step, as a
 * hand-written gradient does. The results differ from the stepwise sums by rounding only.
 */
import { constantData, type Graph, type GraphNode } from "../graph.js";
import { literal } from "../kernels/rule.js";
import { eliminateCommonSubexpressions } from "../passes/common-subexpressions.js";
import { eliminateDeadNodes } from "../passes/dead-code.js";

/** A summed output as `shift * T + scale * (sum of the step graph's new output)`. */
export interface AffineSum {
  /** JavaScript expressions over the names of invariant inputs ("0" and "1" when trivial). */
  readonly scale: string;
  readonly shift: string;
}

/**
 * The step graph of single numbers `graph` with each output in `summed` (indices into
 * `graph.outputs`) replaced by its innermost step-dependent part, and the affine map from the
 * new output back to the old one. `invariant(k)` names input k where it is the same at every step
 * (a local set before the loop), undefined where it is not.
 *
 * @example
 * // x (input 0, a new value every step) times sigma (input 1, the same at every step):
 * const scalar = { shape: [], dtype: "float32" as const };
 * const step = {
 *   values: [scalar, scalar, scalar],
 *   nodes: [
 *     { op: "Input", inputs: [], outputs: [0], attrs: { index: 0 } },
 *     { op: "Input", inputs: [], outputs: [1], attrs: { index: 1 } },
 *     { op: "Multiply", inputs: [0, 1], outputs: [2], attrs: {} },
 *   ],
 *   inputs: [0, 1],
 *   outputs: [-1, 2],
 * };
 * const { graph, forms } = factorSums(step, [1], (k) => (k === 1 ? "sigma" : undefined));
 * graph.outputs[1]; // 0: the loop sums x
 * forms.get(1); // { scale: "sigma", shift: "0" }: and multiplies the sum by sigma after it
 */
export function factorSums(
  graph: Graph,
  summed: readonly number[],
  invariant: (input: number) => string | undefined,
): { graph: Graph; forms: Map<number, AffineSum> } {
  const values = graph.values.slice();
  const nodes = graph.nodes.slice();
  const producer = new Map<number, GraphNode>();
  for (const node of nodes) for (const v of node.outputs) producer.set(v, node);
  const nameOf = (v: number): string | undefined => {
    const node = producer.get(v);
    if (node?.op === "Input") return invariant(Number(node.attrs.index));
    if (node?.op === "Const") return literal(constantData(node)![0]);
    return undefined;
  };
  // v as scale * inner, through negations and products with invariants.
  const scaled = (v: number): { inner: number; scale: string } => {
    let scale = "1";
    for (;;) {
      const node = producer.get(v);
      const [a, b] = node?.inputs ?? [];
      if (node?.op === "Neg") {
        scale = negate(scale);
        v = a;
        continue;
      }
      const na = node?.op === "Multiply" ? nameOf(a) : undefined;
      const nb = node?.op === "Multiply" ? nameOf(b) : undefined;
      if ((na === undefined) === (nb === undefined)) return { inner: v, scale };
      scale = times(scale, na ?? nb!);
      v = na === undefined ? a : b;
    }
  };
  const outputs = graph.outputs.slice();
  const forms = new Map<number, AffineSum>();
  for (const k of summed) {
    let v = outputs[k];
    let scale = "1";
    let shift = "0";
    for (;;) {
      const node = producer.get(v);
      if (node === undefined) break;
      const [a, b] = node.inputs;
      const na = a === undefined ? undefined : nameOf(a);
      const nb = b === undefined ? undefined : nameOf(b);
      if (node.op === "Neg") {
        scale = negate(scale);
        v = a;
      } else if (node.op === "Multiply" && (na !== undefined) !== (nb !== undefined)) {
        scale = times(scale, na ?? nb!);
        v = na === undefined ? a : b;
      } else if (
        (node.op === "Multiply" && na === undefined && nb === undefined) ||
        node.op === "Square"
      ) {
        // A product of two step values with invariant factors: those factors come out.
        const left = scaled(a);
        const right = node.op === "Square" ? left : scaled(b);
        if (left.scale === "1" && right.scale === "1") break;
        const product = values.length;
        values.push(graph.values[v]);
        const multiply = {
          op: "Multiply",
          inputs: [left.inner, right.inner],
          outputs: [product],
          attrs: {},
        };
        nodes.push(multiply);
        producer.set(product, multiply);
        scale = times(scale, times(left.scale, right.scale));
        v = product;
      } else if (node.op === "Add" && (na !== undefined) !== (nb !== undefined)) {
        shift = plus(shift, times(scale, na ?? nb!));
        v = na === undefined ? a : b;
      } else if (node.op === "Sub" && nb !== undefined && na === undefined) {
        shift = plus(shift, negate(times(scale, nb)));
        v = a;
      } else if (node.op === "Sub" && na !== undefined && nb === undefined) {
        shift = plus(shift, times(scale, na));
        scale = negate(scale);
        v = b;
      } else break;
    }
    if (v === outputs[k]) continue;
    outputs[k] = v;
    forms.set(k, { scale, shift });
  }
  const factored = { ...graph, values, nodes, outputs };
  return { graph: eliminateDeadNodes(eliminateCommonSubexpressions(factored)), forms };
}

/**
 * The total of `count` steps from the sum of the factored outputs (`sum`, an expression).
 *
 * @example
 * affineTotal({ scale: "(-0.5)", shift: "(-h1)" }, 99, "s1"); // "(-h1) * 99 + (-0.5) * s1"
 */
export function affineTotal(form: AffineSum | undefined, count: number, sum: string): string {
  if (form === undefined) return sum;
  const scaled = form.scale === "1" ? sum : `${form.scale} * ${sum}`;
  return form.shift === "0" ? scaled : `${form.shift} * ${count} + ${scaled}`;
}

function times(a: string, b: string): string {
  if (a === "1") return b;
  if (b === "1") return a;
  return `(${a} * ${b})`;
}

function negate(a: string): string {
  return `(-${a})`;
}

function plus(a: string, b: string): string {
  return a === "0" ? b : `(${a} + ${b})`;
}
