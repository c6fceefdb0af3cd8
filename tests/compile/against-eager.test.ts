/**
 * The compiled engine against eager tfjs, the reference semantics: value and gradient agree
 * within float32 tolerance on a battery of objectives that covers every supported kernel.
 */
import { describe, expect, it } from "vitest";
import { compileObjective, supportedTfjsKernels } from "../../src/compile/index.js";
import { tf } from "../../src/tf.js";
import { sizeOf } from "../../src/util/shapes.js";
import { battery } from "./battery.js";
import { eager, pointIn, worstRelative } from "./helpers.js";

// Eager tfjs rounds every kernel's output to float32: a few ulps per kernel, more where
// sums cancel.
const TOLERANCE = 2e-4;

describe("compiled engine against eager tfjs", () => {
  const recorded = new Set<string>();

  for (const c of battery) {
    it(c.name, () => {
      const wrt = c.wrt ?? c.shapes.map((_, i) => i);
      const [lo, hi] = c.range ?? [0.3, 0.7];
      const at = c.shapes.map((s, i) => pointIn(s, lo, hi, i + 1));
      const result = compileObjective(c.fn, c.shapes, { wrt, at, name: c.name });
      if (!result.ok) throw new Error(result.reason);
      for (const kernel of Object.keys(result.report.recorded)) recorded.add(kernel);

      // Check at another point than the trace point: the program must not have frozen values.
      const q = c.shapes.map((s, i) => pointIn(s, lo, hi, i + 7));
      const grads = wrt.map((i) => new Float64Array(sizeOf(c.shapes[i])));
      const value = result.compiled.valueAndGrad(q, grads);
      const reference = eager(c.fn, c.shapes, q, wrt);
      expect(worstRelative([value], [reference.value])).toBeLessThan(TOLERANCE);
      grads.forEach((g, k) => {
        expect(worstRelative(g, reference.grads[k])).toBeLessThan(TOLERANCE);
      });
      expect(result.compiled.value(q)).toBe(value);
    });
  }

  it("covers every supported kernel", () => {
    // Identity never reaches the graph (an alias), and tfjs's cpu backend runs tf.broadcastTo
    // as Tile: BroadcastTo nodes come from simplification (every Sum gradient).
    const missing = supportedTfjsKernels().filter(
      (k) => !recorded.has(k) && !["Identity", "BroadcastTo"].includes(k),
    );
    expect(missing).toEqual([]);
  });

  it("leaves no tensors behind and restores the backend", () => {
    const before = tf.memory().numTensors;
    const result = compileObjective((x) => tf.sum(tf.square(x)), [[3]]);
    expect(result.ok).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe("cpu");
  });
});
