/**
 * Program assembly: the JavaScript source of a whole graph, as the body of a factory
 * `(env) => run`, where `run(inputs, outputs)` computes every output without allocating:
 * buffers, constants and argument lists are made once by the factory. Each step is a function
 * of the arrays it touches, and steps with the same code share one function (the fifty time
 * steps of an HMM become a handful of functions, which V8 optimizes after a few calls); a
 * function called once binds its arrays itself instead. The sequence of calls is split into
 * part functions of bounded size.
 *
 * A step program (option `step`, the body of a loop such as scan's) returns `{ I, O, step }`
 * instead: its inputs are arrays of its own (`I[k]`) that the loop fills, and `step()` leaves
 * every output in an array of the program (`O[k]`), so an iteration copies no more than it must.
 */
import type { OpDefinition } from "../../custom-vjp/registry.js";
import { sizeOf } from "../../util/shapes.js";
import type { Graph, GraphNode } from "../graph.js";
import { ruleFor } from "../kernels/index.js";
import { type KernelContext, type KernelRule, literal } from "../kernels/rule.js";
import { assertSafeGraph } from "../validate-graph.js";
import { planSteps } from "./fusion.js";
import { runtime } from "./helpers.js";
import type { Program } from "./instantiate.js";
import { emitLoop } from "./loop.js";
import { planStorage, type Storage, type StoragePlan } from "./storage.js";

// Source characters of calls per part function.
const PART_SIZE = 4000;

/**
 * Emits a graph as a program.
 *
 * @example
 * const run = instantiate(emitProgram(graph));
 * const value = run([q], [grad]);
 */
export function emitProgram(
  graph: Graph,
  options: { float32?: boolean; step?: boolean } = {},
): Program {
  assertSafeGraph(graph); // shapes and attributes become source text
  const float32 = options.float32 === true;
  const steps = planSteps(graph);
  const plan = planStorage(graph, steps);
  const source = new SourceBuilder(graph, plan, float32, options.step === true);
  const loopContext = {
    graph,
    float32,
    storage: (v: number) => source.storageOf(v),
    literal: (x: number) => source.literal(x),
  };
  for (const step of steps) {
    if (step.kind === "loop") {
      const code = emitLoop(step, loopContext);
      source.call(
        code.body,
        code.arrays.map((v) => source.array(v)),
      );
    } else {
      const params = new StepParameters();
      const ctx = source.kernelContext(step.node, params);
      let body = (ruleFor(step.node.op) as KernelRule).emit(step.node, ctx);
      if (float32) body += `\n${roundOutputs(step.node, ctx)}`;
      source.call(body, params.values);
    }
  }
  return source.finish();
}

/** Statements rounding a kernel's outputs to float32 (emulation mode). */
function roundOutputs(node: GraphNode, ctx: KernelContext): string {
  return node.outputs
    .map((v) => {
      const n = sizeOf(ctx.graph.values[v].shape);
      const a = ctx.array(v);
      return `for (let i = 0; i < ${n}; i++) ${a}[i] = Math.fround(${a}[i]);`;
    })
    .join("\n");
}

/** An emitted step function: its parameters a0, a1, ... and how many calls it has. */
interface StepFunction {
  readonly name: string;
  readonly arity: number;
  calls: number;
}

/** The parameters of one step's function: expressions passed in, named a0, a1, ... inside. */
class StepParameters {
  readonly values: string[] = [];
  private readonly index = new Map<string, string>();
  private locals = 0;

  param(expression: string): string {
    let name = this.index.get(expression);
    if (name === undefined) {
      name = `a${this.values.length}`;
      this.values.push(expression);
      this.index.set(expression, name);
    }
    return name;
  }

  local(prefix: string): string {
    return `_${prefix}${this.locals++}`;
  }
}

class SourceBuilder {
  private readonly declarations: string[] = [];
  private readonly constants: Float64Array[] = [];
  private readonly constantIndices = new Map<Float64Array, number>();
  private readonly ops: string[] = [];
  private readonly literalArrays = new Map<number, string>();
  private readonly functions = new Map<string, StepFunction>();
  private readonly calls: { f: StepFunction; args: readonly string[] }[] = [];

  constructor(
    private readonly graph: Graph,
    private readonly plan: StoragePlan,
    private readonly float32: boolean,
    private readonly stepProgram = false,
  ) {}

  literal(x: number): string {
    return literal(this.float32 ? Math.fround(x) : x);
  }

  /** Appends a call of the function with this body (emitted once per distinct body). */
  call(body: string, args: readonly string[]): void {
    let f = this.functions.get(body);
    if (f === undefined) {
      f = { name: `f${this.functions.size}`, arity: args.length, calls: 0 };
      this.functions.set(body, f);
    }
    f.calls++;
    this.calls.push({ f, args });
  }

  storageOf(value: number): Storage {
    const s = this.plan.storage.get(value);
    if (s === undefined) throw new Error(`compile: internal error: value ${value} has no storage`);
    return s;
  }

  array(value: number): string {
    const s = this.storageOf(value);
    switch (s.kind) {
      case "input":
        return `in${s.index}`;
      case "buffer":
        return `w${s.buffer}`;
      case "constant":
        return this.constantName(s.data);
      case "literal": {
        let name = this.literalArrays.get(value);
        if (name === undefined) {
          name = `l${value}`;
          const size = sizeOf(this.graph.values[value].shape);
          this.declarations.push(
            `const ${name} = new Float64Array(${size}).fill(${this.literal(s.value)});`,
          );
          this.literalArrays.set(value, name);
        }
        return name;
      }
      case "local":
        throw new Error(
          `compile: internal error: value ${value} is local to a loop but read as an array`,
        );
    }
  }

  element(value: number, index: string): string {
    const s = this.storageOf(value);
    return s.kind === "literal" ? this.literal(s.value) : `${this.array(value)}[${index}]`;
  }

  kernelContext(node: GraphNode, params: StepParameters): KernelContext {
    return {
      graph: this.graph,
      array: (v) => params.param(this.array(v)),
      element: (v, i) => {
        const s = this.storageOf(v);
        return s.kind === "literal"
          ? this.literal(s.value)
          : `${params.param(this.array(v))}[${i}]`;
      },
      local: (prefix) => params.local(prefix),
      number: (n) => params.param(literal(n)),
      scratch: (size) => params.param(this.declare("s", `new Float64Array(${size})`)),
      table: (values) => params.param(this.constantName(Float64Array.from(values))),
      constant: (json) => params.param(this.declare("k", JSON.stringify(json))),
      customOp: (op) => params.param(this.customOp(op)),
      helper: (name) => `R_${name}`,
      subprogram: (graph) => params.param(this.subprogram(graph)),
      inPlace: this.plan.inPlace.has(node),
      float32: this.float32,
      uniform: (v) => {
        const s = this.storageOf(v);
        return s.kind === "literal" ? s.value : undefined;
      },
      used: (v) => this.readValues().has(v),
    };
  }

  private readSet: Set<number> | undefined;

  /** The values some node reads or the program returns. */
  private readValues(): Set<number> {
    if (this.readSet === undefined) {
      const read = new Set(this.graph.outputs);
      for (const node of this.graph.nodes) for (const v of node.inputs) read.add(v);
      this.readSet = read;
    }
    return this.readSet;
  }

  finish(): Program {
    // A function called once binds its arguments itself: V8 then sees which arrays it reads
    // (closure constants, not parameters) and specializes its loops to them (logistic
    // regression's gradient about 1.2x faster). Shared functions take them as parameters.
    const bound = new Map<StepFunction, readonly string[]>();
    for (const { f, args } of this.calls) if (f.calls === 1) bound.set(f, args);
    const parts: string[] = [];
    let current = "";
    for (const { f, args } of this.calls) {
      const call = `${f.name}(${bound.has(f) ? "" : args.join(", ")});`;
      current += `${call}\n`;
      if (current.length > PART_SIZE) {
        parts.push(current);
        current = "";
      }
    }
    if (current !== "") parts.push(current);
    const inputs = this.graph.inputs.map((_, k) => `in${k}`);
    // A step program owns its input arrays and exposes its output arrays (made before `head`,
    // which lists the declarations they may add).
    const stepOutputs = this.stepProgram
      ? this.graph.outputs.map((v) => (v < 0 ? "null" : this.array(v)))
      : [];
    const inputDeclarations = this.stepProgram
      ? inputs.map(
          (name, k) =>
            `const ${name} = new Float64Array(${sizeOf(this.graph.values[this.graph.inputs[k]].shape)});`,
        )
      : [inputs.length > 0 ? `let ${inputs.join(", ")};` : ""];
    const head = [
      '"use strict";',
      "const C = env.constants, OPS = env.ops, R = env.runtime;",
      ...Object.keys(runtime).map((name) => `const R_${name} = R.${name};`),
      ...this.plan.bufferSizes.map((size, b) => `const w${b} = new Float64Array(${size});`),
      ...this.declarations,
      ...inputDeclarations,
    ];
    const steps = [...this.functions].map(([body, f]) => {
      const params = Array.from({ length: f.arity }, (_, k) => `a${k}`);
      const args = bound.get(f);
      if (args === undefined) return `function ${f.name}(${params.join(", ")}) {\n${body}\n}`;
      // The body in a block of its own: its locals may shadow the names bound here (c0, w3).
      const bindings = params.map((p, k) => `const ${p} = ${args[k]};\n`).join("");
      return `function ${f.name}() {\n${bindings}{\n${body}\n}\n}`;
    });
    const functions = [...steps, ...parts.map((body, i) => `function part${i}() {\n${body}}`)];
    if (this.stepProgram) {
      const step = [
        `return { I: [${inputs.join(", ")}], O: [${stepOutputs.join(", ")}], step: function step() {`,
        ...parts.map((_, i) => `part${i}();`),
        "} };",
      ];
      return this.assemble(head, functions, step);
    }
    const [value, ...grads] = this.graph.outputs;
    const writes = grads.map((v, k) => {
      if (v < 0) return `G[${k}].fill(0);`;
      const n = sizeOf(this.graph.values[v].shape);
      return `{ const g = G[${k}]; for (let i = 0; i < ${n}; i++) g[i] = ${this.element(v, "i")}; }`;
    });
    const run = [
      "return function run(I, G) {",
      ...inputs.map((name, k) => `${name} = I[${k}];`),
      ...parts.map((_, i) => `part${i}();`),
      ...writes,
      `return ${value < 0 ? "0" : this.element(value, "0")};`,
      "};",
    ];
    return this.assemble(head, functions, run);
  }

  private assemble(head: string[], functions: string[], run: string[]): Program {
    // The constant and op tables are complete only now: emit their aliases after the fact.
    const tables = [
      ...this.constants.map((_, k) => `const c${k} = C[${k}];`),
      ...this.ops.map((_, k) => `const op${k} = OPS[${k}];`),
    ];
    const source = [...head, ...tables, ...functions, ...run]
      .filter((line) => line !== "")
      .join("\n");
    return { source, constants: this.constants, ops: this.ops };
  }

  /**
   * Declares a graph emitted as a step program, with its constants and custom ops taken from
   * this program's tables, and returns the name of the `{ I, O, step }` object.
   */
  private subprogram(graph: Graph): string {
    const nested = emitProgram(graph, { float32: this.float32, step: true });
    const constants = nested.constants.map((data) => `C[${this.constantIndex(data)}]`);
    const ops = nested.ops.map((name) => `OPS[${this.opIndex(name)}]`);
    return this.declare(
      "p",
      `(function (env) {\n${nested.source}\n})({ constants: [${constants.join(", ")}], ops: [${ops.join(", ")}], runtime: R })`,
    );
  }

  private declare(prefix: string, init: string): string {
    const name = `${prefix}${this.declarations.length}`;
    this.declarations.push(`const ${name} = ${init};`);
    return name;
  }

  private constantName(data: Float64Array): string {
    return `c${this.constantIndex(data)}`;
  }

  private constantIndex(data: Float64Array): number {
    let k = this.constantIndices.get(data);
    if (k === undefined) {
      k = this.constants.length;
      this.constants.push(this.float32 ? data.map(Math.fround) : data);
      this.constantIndices.set(data, k);
    }
    return k;
  }

  private customOp(op: OpDefinition): string {
    return `op${this.opIndex(op.name)}`;
  }

  private opIndex(name: string): number {
    let k = this.ops.indexOf(name);
    if (k < 0) {
      k = this.ops.length;
      this.ops.push(name);
    }
    return k;
  }
}
