/**
 * What the compiled engine refuses, and how it says so: value reads that steer control flow,
 * unsupported kernels and dtypes, objectives that throw, and emitted code that disagrees with
 * eager tfjs. Never a silently wrong result; the backend is always restored.
 */
import { afterEach, describe, expect, it } from "vitest";
import { checkAgainstTrace } from "../../src/compile/check.js";
import { compileObjective } from "../../src/compile/index.js";
import { optimize } from "../../src/compile/passes/index.js";
import { traceObjective } from "../../src/compile/trace.js";
import { tf } from "../../src/tf.js";
import { exact } from "./helpers.js";

afterEach(() => {
  expect(tf.getBackend()).toBe("cpu");
});

function reasonOf(result: ReturnType<typeof compileObjective>): string {
  if (result.ok) throw new Error("expected the compilation to fail");
  return result.reason;
}

describe("fallback with a reason", () => {
  it("refuses an objective that branches on a value it computed, naming the read and its site", () => {
    const branchy = (x: tf.Tensor) => (x.dataSync()[0] > 0 ? tf.sum(tf.square(x)) : tf.sum(x));
    const reason = reasonOf(compileObjective(branchy, [[2]], { name: "branchy" }));
    expect(reason).toContain("branchy");
    expect(reason).toContain("dataSync");
    expect(reason).toContain("fallback.test.ts");
  });

  it("names arraySync too", () => {
    const reason = reasonOf(
      compileObjective((x) => tf.mul(x, tf.scalar(x.arraySync() as number)), [[]]),
    );
    expect(reason).toContain("arraySync");
  });

  it("allows reading data that does not depend on the inputs", () => {
    const data = exact([1, 2, 3]);
    const result = compileObjective(
      (x) => {
        const scale = data.dataSync()[2]; // a constant: harmless
        return tf.sum(tf.mul(x, scale));
      },
      [[3]],
    );
    expect(result.ok).toBe(true);
  });

  it("names an unsupported kernel", () => {
    const filter = exact(
      Array.from({ length: 4 }, (_, i) => i / 4),
      [2, 2, 1, 1],
    );
    const conv = (x: tf.Tensor) =>
      tf.sum(
        tf.conv2d(tf.reshape(x, [1, 3, 3, 1]) as tf.Tensor4D, filter as tf.Tensor4D, 1, "valid"),
      );
    const reason = reasonOf(compileObjective(conv, [[9]]));
    expect(reason).toMatch(/unsupported kernels? .*Conv2D/);
  });

  it("names an unsupported dtype", () => {
    // (No gradient: tfjs cannot differentiate through complex numbers at all.)
    const reason = reasonOf(
      compileObjective((x) => tf.sum(tf.real(tf.complex(x, x))), [[2]], { wrt: [] }),
    );
    expect(reason).toContain("complex64");
  });

  it("refuses a non-scalar objective", () => {
    const reason = reasonOf(compileObjective((x) => tf.square(x), [[2]]));
    expect(reason).toContain("must return a scalar");
  });

  it("reports an objective that throws, and restores the backend", () => {
    const reason = reasonOf(
      compileObjective(() => {
        throw new Error("model bug");
      }, [[2]]),
    );
    expect(reason).toContain("model bug");
  });

  it("catches emitted code that disagrees with eager tfjs at the trace point", () => {
    const fn = (x: tf.Tensor) => tf.sum(tf.exp(x));
    const traced = traceObjective(fn, [[3]], [0], [Float64Array.of(0.3, 0.5, 0.7)]);
    if (!traced.ok) throw new Error(traced.reason);
    const graph = optimize(traced.trace.graph);
    expect(checkAgainstTrace(graph, traced.trace)).toBeUndefined();
    // A wrong rule, simulated: exp replaced by expm1 in the graph.
    const broken = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.op === "Exp" ? { ...n, op: "Expm1" } : n)),
    };
    expect(checkAgainstTrace(broken, traced.trace)).toMatch(/disagrees with eager tfjs/);
  });

  it("rejects invalid arguments as errors, not fallbacks", () => {
    expect(() => compileObjective((x) => tf.sum(x), [[2]], { wrt: [1] })).toThrow(/wrt index 1/);
    expect(() => compileObjective((x) => tf.sum(x), [[2]], { at: [Float64Array.of(1)] })).toThrow(
      /at\[0\]/,
    );
  });
});
