/**
 * Issue 12, item 2: nothing from user code or data is pasted into generated source. A kernel
 * attribute or a shape that is not a number (a depth read from JSON) must be refused before
 * any source is emitted from it, never run as code. The scan below replaces, one at a time,
 * every attribute (and every element of list attributes) and every shape of real traced
 * graphs (the battery covers every supported kernel) with a string or object that would set
 * a global if it reached the source, and emits the graph.
 */
import { afterEach, describe, expect, it } from "vitest";
import { instantiate } from "../../src/compile/emit/instantiate.js";
import { emitProgram } from "../../src/compile/emit/program.js";
import type { Graph, GraphNode, ValueInfo } from "../../src/compile/graph.js";
import { compileObjective } from "../../src/compile/index.js";
import { optimize } from "../../src/compile/passes/index.js";
import { traceObjective } from "../../src/compile/trace.js";
import { Normal } from "../../src/dist/index.js";
import { potential } from "../../src/infer/potential.js";
import { sample } from "../../src/primitives/effects.js";
import { tf } from "../../src/tf.js";
import { sizeOf } from "../../src/util/shapes.js";
import { battery } from "./battery.js";
import { pointIn } from "./helpers.js";

const FLAG = "__tycheInjected";
const globals = globalThis as Record<string, unknown>;

afterEach(() => {
  delete globals[FLAG];
});

/** Values that set globalThis[FLAG] if they are ever evaluated as code or coerced to text. */
function hostileValues(): unknown[] {
  const code = `2 && (globalThis.${FLAG} = 9)`;
  const coerced = {
    toString() {
      globals[FLAG] = 1;
      return "1";
    },
    valueOf() {
      globals[FLAG] = 2;
      return 1;
    },
  };
  return [code, `0) || (globalThis.${FLAG} = 3`, coerced];
}

describe("the tf.oneHot depth reproduction", () => {
  const depth = JSON.parse(`{"depth": "2 && (globalThis.${FLAG}=9)"}`).depth as number;

  it("compileObjective refuses a string depth, names the kernel and attribute, and runs none of it", () => {
    // The one-hot matrix depends on constants only: constant folding emits and runs it.
    const result = compileObjective(
      (x) => tf.sum(tf.mul(x, tf.sum(tf.oneHot(tf.tensor1d([0, 1], "int32"), depth)))),
      [[2]],
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/OneHot: attribute depth must be a number/);
    expect(globals[FLAG]).toBeUndefined();
  });

  it("a model whose depth comes from JSON data falls back to eager tfjs without running it", () => {
    function* model(d: number) {
      const mu = yield* sample("mu", Normal(0, 1));
      const hot = tf.oneHot(tf.tensor1d([0, 1], "int32"), d);
      yield* sample("y", Normal(tf.mul(mu, tf.sum(hot)), 1), { obs: 1 });
    }
    const warn = console.warn;
    console.warn = () => {};
    try {
      const p = potential(model, [depth], { engine: "compiled" });
      expect(p.engine).toBe("eager");
    } finally {
      console.warn = warn;
    }
    expect(globals[FLAG]).toBeUndefined();
  });
});

/** Every place in a node's attributes: the attribute itself and each element of lists. */
function attributePaths(node: GraphNode): (string | number)[][] {
  const paths: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
  };
  for (const [key, value] of Object.entries(node.attrs)) {
    if (node.op === "Const" && key === "data") continue; // numbers in a Float64Array
    walk(value, [key]);
  }
  return paths;
}

function withAttribute(node: GraphNode, path: (string | number)[], value: unknown): GraphNode {
  const set = (current: unknown, rest: (string | number)[]): unknown => {
    if (rest.length === 0) return value;
    const [head, ...tail] = rest;
    if (Array.isArray(current)) {
      const copy = current.slice();
      copy[head as number] = set(current[head as number], tail);
      return copy;
    }
    const record = current as Record<string, unknown>;
    return { ...record, [head]: set(record[head as string], tail) };
  };
  return { ...node, attrs: set(node.attrs, path) as GraphNode["attrs"] };
}

/** Emits and runs a graph; whatever it throws is fine, running injected code is not. */
function emitAndRun(graph: Graph): void {
  try {
    const program = emitProgram(graph);
    expect(program.source).not.toContain(FLAG);
    const run = instantiate(program);
    const inputs = graph.inputs.map((v) => new Float64Array(sizeOf(graph.values[v].shape)));
    const outputs = graph.outputs
      .slice(1)
      .map((v) => new Float64Array(v < 0 ? 0 : sizeOf(graph.values[v].shape)));
    run(inputs, outputs);
  } catch (error) {
    if ((error as Error).name === "AssertionError") throw error;
  }
  expect(globals[FLAG]).toBeUndefined();
}

function tracedGraphs(): { name: string; graph: Graph }[] {
  const graphs: { name: string; graph: Graph }[] = [];
  for (const c of battery) {
    const wrt = c.wrt ?? c.shapes.map((_, i) => i);
    const at = c.shapes.map((s, i) => pointIn(s, 0.3, 0.7, i + 1));
    const traced = traceObjective(c.fn, c.shapes, wrt, at);
    if (!traced.ok) throw new Error(traced.reason);
    // The traced graph has every kernel model code can reach (Fill, Range, ... before they are
    // folded); the optimized one has the compiler's own (AddPadded, fused reshapes).
    graphs.push({ name: `${c.name} (traced)`, graph: traced.trace.graph });
    graphs.push({ name: `${c.name} (optimized)`, graph: optimize(traced.trace.graph) });
  }
  return graphs;
}

describe("scan of the emitter's inputs", () => {
  const graphs = tracedGraphs();

  it("every attribute of every kernel in the battery, replaced by hostile values", () => {
    let scanned = 0;
    const kernels = new Set<string>();
    for (const { graph } of graphs) {
      const seen = new Set<string>();
      graph.nodes.forEach((node, n) => {
        for (const path of attributePaths(node)) {
          const key = `${node.op}|${path.join(".")}`;
          if (seen.has(key)) continue; // one node per kernel and attribute place per graph
          seen.add(key);
          kernels.add(node.op);
          for (const value of hostileValues()) {
            const nodes = graph.nodes.slice();
            nodes[n] = withAttribute(node, path, value);
            emitAndRun({ ...graph, nodes });
            scanned++;
          }
        }
      });
    }
    // The battery reaches the attributes of these kernels at least.
    for (const op of ["OneHot", "UnsortedSegmentSum", "Slice", "PadV2", "Transpose", "Fill"])
      expect(kernels).toContain(op);
    expect(scanned).toBeGreaterThan(100);
  });

  it("every shape in the battery's graphs, with one size replaced by hostile values", () => {
    for (const { graph } of graphs.filter((g) => g.name.endsWith("(optimized)"))) {
      graph.values.forEach((info, v) => {
        if (info.shape.length === 0) return;
        for (const value of hostileValues()) {
          const values: ValueInfo[] = graph.values.slice();
          values[v] = { ...info, shape: [value as number, ...info.shape.slice(1)] };
          expect(() => emitProgram({ ...graph, values })).toThrow(/shape/);
          expect(globals[FLAG]).toBeUndefined();
        }
      });
    }
  });
});
