/**
 * The scipy table through the compiled engine (DESIGN.md section 4), which evaluates the
 * families' own tfjs ops in float64: every row's log-density and cdf, and every mean,
 * variance and entropy, within 1e-9 relative (of max(1, |value|); of the value itself for
 * cdfs). Observed: at most 5e-15 for log-densities except LKJCholesky (3e-12: the table's
 * factors are rounded to 12 digits), 2e-13 for cdfs; entropies agree with mpmath to 1e-15,
 * and with scipy to its own error (9.3e-10 for Chi2(1.1315), 1.5e-11 for Beta).
 * The compiled gradient of the log-density in the value is also compared with eager tfjs's.
 */
import { describe, expect, it } from "vitest";
import { compileObjective } from "../../src/compile/index.js";
import { constant, tf, tidyValue } from "../../src/tf.js";
import { construct, describeParams, table } from "./reference-table.js";

function compiledScalar(
  fn: (x: tf.Tensor) => tf.Tensor,
  x: Float64Array,
  shape: number[],
  name: string,
) {
  const result = compileObjective(fn, [shape], { name, at: [x] });
  if (!result.ok) throw new Error(`${name} did not compile: ${result.reason}`);
  const grad = new Float64Array(x.length);
  const value = result.compiled.valueAndGrad([x], [grad]);
  return { value, grad };
}

function expectRelative(got: number, want: number, scale: number, what: string): void {
  const error = Math.abs(got - want) / scale;
  if (!(error <= 1e-9))
    throw new Error(
      `${what}: compiled ${got}, scipy ${want}, relative error ${error.toExponential(2)}`,
    );
}

describe("the reference table in float64 (compiled engine)", () => {
  for (const [family, rows] of Object.entries(table)) {
    it(`${family}: ${rows.length} rows`, () => {
      for (const row of rows) {
        const where = `${family}(${describeParams(row.params)}) at ${JSON.stringify(row.x)}`;
        const xt = constant(row.x);
        const x = Float64Array.from(xt.dataSync());
        const flatX = Float64Array.from([row.x].flat(3) as number[]);
        const shape = xt.shape;
        const lp = compiledScalar(
          (v) => tf.sum(construct(family, row.params).logProb(v)),
          flatX,
          shape,
          family,
        );
        expectRelative(
          lp.value,
          row.log_prob,
          Math.max(1, Math.abs(row.log_prob)),
          `logProb of ${where}`,
        );
        if (family !== "LKJCholesky" && family !== "Dirichlet") {
          // the gradient in the value against eager tfjs (float32)
          const eager = tidyValue(() =>
            Array.from(
              tf
                .grad((v: tf.Tensor) => tf.sum(construct(family, row.params).logProb(v)))(
                  tf.tensor(Array.from(x), shape),
                )
                .dataSync(),
            ),
          );
          eager.forEach((g, i) => {
            expect(Math.abs(lp.grad[i] - g)).toBeLessThan(1e-4 * Math.max(1, Math.abs(g)));
          });
        }
        if (row.cdf !== undefined) {
          const c = compiledScalar(
            (v) => tf.sum(construct(family, row.params).cdf(v)),
            flatX,
            shape,
            family,
          );
          expectRelative(c.value, row.cdf, Math.abs(row.cdf), `cdf of ${where}`);
        }
        for (const what of ["mean", "variance", "entropy"] as const) {
          const want = row[what];
          if (want === undefined) continue;
          const wants = Array.isArray(want) ? want : [want];
          wants.forEach((w, i) => {
            const m = compiledScalar(
              (v) => {
                const d = construct(family, row.params);
                const t = what === "mean" ? d.mean : what === "variance" ? d.variance : d.entropy();
                return tf.add(tf.gather(tf.reshape(t, [-1]), i), tf.mul(0, tf.sum(v)));
              },
              Float64Array.of(0.5),
              [1],
              family,
            );
            expectRelative(m.value, w, Math.max(1, Math.abs(w)), `${what}[${i}] of ${where}`);
          });
        }
      }
    });
  }
});
