/**
 * The compiled artifact is plain data: it survives structured cloning and rebuilds into the same
 * objective, in this thread and in a real worker thread (whose .mjs entry registers tsx's loader
 * and imports the TypeScript worker module).
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { asGradientTarget, compileObjective, rebuildObjective } from "../../src/compile/index.js";
import { lgamma } from "../../src/custom-vjp/index.js";
import { tf } from "../../src/tf.js";
import { battery } from "./battery.js";
import { pointIn } from "./helpers.js";

const hmmLike = battery.find((b) => b.name.startsWith("forward algorithm"))!;

function compile(fn: (...xs: tf.Tensor[]) => tf.Tensor, shapes: number[][]) {
  const result = compileObjective(fn, shapes);
  if (!result.ok) throw new Error(result.reason);
  return result.compiled;
}

function evaluate(objective: ReturnType<typeof compile>, inputs: Float64Array[]) {
  const grads = objective.wrt.map((i) => new Float64Array(inputs[i].length));
  return { value: objective.valueAndGrad(inputs, grads), grads };
}

describe("compiled artifacts", () => {
  it("survive structured cloning and rebuild into the same objective", () => {
    const compiled = compile(hmmLike.fn, hmmLike.shapes);
    const copy = structuredClone(compiled.artifact);
    const rebuilt = rebuildObjective(copy);
    const inputs = hmmLike.shapes.map((s, i) => pointIn(s, -1, 1, i + 2));
    expect(evaluate(rebuilt, inputs)).toEqual(evaluate(compiled, inputs));
    expect(rebuilt.value(inputs)).toBe(compiled.value(inputs));
  });

  it("rebuild in a worker thread, custom ops included, with identical results", async () => {
    const fn = (x: tf.Tensor, y: tf.Tensor) =>
      tf.add(hmmLike.fn(x, y), tf.sum(lgamma(tf.add(tf.abs(x), 1))));
    const compiled = compile(fn, hmmLike.shapes);
    const inputs = hmmLike.shapes.map((s, i) => pointIn(s, -1, 1, i + 5));
    const here = evaluate(compiled, inputs);
    const worker = new Worker(
      fileURLToPath(new URL("./fixtures/rebuild-worker.mjs", import.meta.url)),
    );
    try {
      const there = await new Promise<{
        value: number;
        grads: Float64Array[];
        valueOnly: number;
        error?: string;
      }>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.postMessage({ artifact: compiled.artifact, inputs });
      });
      expect(there.error).toBeUndefined();
      expect(there.value).toBe(here.value);
      expect(there.grads).toEqual(here.grads);
      expect(there.valueOnly).toBe(here.value);
    } finally {
      await worker.terminate();
    }
  });

  it("refuses what is not an artifact", () => {
    expect(() => rebuildObjective({} as never)).toThrow(/not a compiled-objective artifact/);
  });
});

describe("asGradientTarget", () => {
  it("serves a single-input potential to samplers without copying", () => {
    const potential = (q: tf.Tensor) => tf.sum(tf.mul(0.5, tf.square(q)));
    const target = asGradientTarget(compile(potential, [[4]]));
    expect(target.dim).toBe(4);
    const q = Float64Array.of(1, -2, 0.5, 3);
    const grad = new Float64Array(4);
    expect(target.valueAndGrad(q, grad)).toBe(0.5 * (1 + 4 + 0.25 + 9));
    expect(Array.from(grad)).toEqual([1, -2, 0.5, 3]);
  });

  it("needs one differentiated input", () => {
    const compiled = compile((a, b) => tf.sum(tf.mul(a, b)), [[2], [2]]);
    expect(() => asGradientTarget(compiled)).toThrow(/one input/);
  });
});
