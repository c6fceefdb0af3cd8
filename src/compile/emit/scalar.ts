/**
 * Straight-line code for graphs of single numbers: every value a local, every node an
 * expression. A scan over a univariate series has such a step (AR(1), local level, stochastic
 * volatility), and its loop then inlines the step with its values in registers, as hand-written
 * code would, instead of calling a step program that moves one-element arrays around.
 */
import { sizeOf } from "../../util/shapes.js";
import { constantData, type Graph } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import { literal } from "../kernels/rule.js";

/**
 * Whether every value of `graph` holds one number and every node is an input, a constant, an
 * elementwise kernel, a view or a reduction (of one element). Inputs nothing reads do not count.
 *
 * @example
 * isScalarGraph(plan.forward.step); // true for an AR(1) step
 */
export function isScalarGraph(graph: Graph): boolean {
  const read = new Set(graph.outputs);
  for (const node of graph.nodes) for (const v of node.inputs) read.add(v);
  for (const node of graph.nodes) {
    if (node.op === "Input" && !read.has(node.outputs[0])) continue; // unused: never loaded
    for (const v of [...node.inputs, ...node.outputs]) {
      if (sizeOf(graph.values[v].shape) !== 1) return false;
    }
    if (node.op === "Input" || node.op === "Const") continue;
    const kind = ruleFor(node.op)?.kind;
    if (kind !== "elementwise" && kind !== "view" && kind !== "reduction") return false;
  }
  return true;
}

/** Statements computing a scalar graph, and an expression for each of its outputs. */
export interface ScalarCode {
  readonly statements: string[];
  /** One per graph output: a local name or a literal ("0" for an absent output). */
  readonly outputs: string[];
}

/**
 * Emits a scalar graph (see `isScalarGraph`) as statements over locals. `inputs[k]` names the
 * local holding input k; values become locals `<prefix><value id>`.
 *
 * @example
 * emitScalar(step, ["c0", "x0", "h0"], { prefix: "v", float32: false }).statements;
 * // ["const v7 = (x0 - c0);", ...]
 */
export function emitScalar(
  graph: Graph,
  inputs: readonly string[],
  options: { prefix: string; float32: boolean },
): ScalarCode {
  const round = (expr: string) => (options.float32 ? `Math.fround(${expr})` : expr);
  const number = (x: number) => literal(options.float32 ? Math.fround(x) : x);
  const names = new Map<number, string>();
  const statements: string[] = [];
  for (const node of graph.nodes) {
    const out = node.outputs[0];
    if (node.op === "Input") {
      names.set(out, inputs[Number(node.attrs.index)]);
      continue;
    }
    if (node.op === "Const") {
      names.set(out, number(constantData(node)![0]));
      continue;
    }
    const args = node.inputs.map((v) => {
      const name = names.get(v);
      if (name === undefined) throw new Error(`compile: internal error: scalar value ${v} unset`);
      return name;
    });
    const rule = ruleFor(node.op)!;
    const name = `${options.prefix}${out}`;
    switch (rule.kind) {
      case "view":
        names.set(out, args[0]);
        continue;
      case "elementwise":
        statements.push(`const ${name} = ${round(rule.expr(args, node))};`);
        break;
      case "reduction": {
        const acc = rule.update(rule.init, args[0]);
        statements.push(`const ${name} = ${round(rule.finish?.(`(${acc})`, 1) ?? acc)};`);
        break;
      }
      default:
        throw new Error(`compile: internal error: ${node.op} in a scalar graph`);
    }
    names.set(out, name);
  }
  const outputs = graph.outputs.map((v) => (v < 0 ? "0" : (names.get(v) ?? "0")));
  return { statements, outputs };
}
