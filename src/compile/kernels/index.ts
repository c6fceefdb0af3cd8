/**
 * The registration list: every kernel the compiled engine supports, by family. A kernel absent
 * here makes compilation fall back with a reason that names it.
 */
import type { Graph, GraphNode } from "../graph.js";
import { creationRules } from "./creation.js";
import { customOpRule } from "./custom-op.js";
import { layoutRules } from "./data-movement.js";
import { elementwiseRules } from "./elementwise.js";
import { gatherRules } from "./gather.js";
import { matmulRules } from "./matmul.js";
import { reductionRules } from "./reduction.js";
import type { CheckedRule } from "./rule.js";
import { scanRules } from "./scan.js";
import { scanLoopRules } from "./scan-loop.js";
import { softmaxRules } from "./softmax.js";

const builtIn: Record<string, CheckedRule> = {
  ...elementwiseRules,
  ...reductionRules,
  ...layoutRules,
  ...gatherRules,
  ...matmulRules,
  ...scanRules,
  ...scanLoopRules,
  ...softmaxRules,
  ...creationRules,
};

/**
 * The rule for a kernel (tfjs kernels, the compiler's own, and custom ops), if supported.
 *
 * @example
 * ruleFor("Exp")?.kind; // "elementwise"
 */
export function ruleFor(op: string): CheckedRule | undefined {
  return Object.hasOwn(builtIn, op) ? builtIn[op] : customOpRule(op);
}

/**
 * The names of the tfjs kernels (tfjs's primitive ops, not transition kernels) that the
 * compiled engine has built-in rules for (custom ops come on top).
 *
 * @example
 * supportedTfjsKernels().includes("BatchMatMul"); // true
 */
export function supportedTfjsKernels(): string[] {
  return Object.keys(builtIn)
    .filter((name) => name !== "AddPadded" && !Object.hasOwn(scanLoopRules, name))
    .sort();
}

/**
 * @deprecated The former name of `supportedTfjsKernels`.
 *
 * @example
 * supportedKernels().includes("Exp"); // true
 */
export const supportedKernels: () => string[] = supportedTfjsKernels;

/**
 * Why a graph cannot be compiled (its unsupported kernels, or a node a rule rejects), or
 * undefined when every node has a rule.
 *
 * @example
 * unsupportedReason(trace.graph); // "unsupported kernel Conv2D (no compiled rule)"
 */
export function unsupportedReason(graph: Graph): string | undefined {
  const missing = new Set<string>();
  for (const node of graph.nodes) {
    if (node.op === "Input" || node.op === "Const") continue;
    const rule = ruleFor(node.op);
    if (rule === undefined) {
      missing.add(node.op);
      continue;
    }
    const problem = rule.check?.(node as GraphNode, graph);
    if (problem !== undefined) return `unsupported use of kernel ${node.op}: ${problem}`;
  }
  if (missing.size === 0) return undefined;
  const names = [...missing];
  return `unsupported kernel${names.length > 1 ? "s" : ""} ${names.join(", ")} (no compiled rule)`;
}
