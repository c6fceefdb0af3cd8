/**
 * The families in a model under `potential`, in both engines: the unconstrained log-density
 * and its gradient are finite at random starting points, and the gradient agrees with central
 * differences of the log-density (float64 in the compiled engine: step 1e-5, 1e-5 relative;
 * float32 in the eager engine: step 1e-2, 2e-2 relative). This exercises bijectTo of every
 * kind of support together with the families' log-densities and gradients, and shows that
 * the compiled engine traces them (it would fall back to eager, with a warning, otherwise).
 */
import { describe, expect, it } from "vitest";
import {
  Beta,
  Dirichlet,
  Gamma,
  HalfCauchy,
  LKJCholesky,
  MultivariateNormal,
  Normal,
  Pareto,
  StudentT,
  TruncatedNormal,
  VonMises,
} from "../../src/dist/index.js";
import { potential } from "../../src/infer/potential.js";
import { sample } from "../../src/primitives/effects.js";
import { tf } from "../../src/tf.js";

function* model(y: number[]) {
  const sigma = yield* sample("sigma", Gamma(2, 1));
  const p = yield* sample("p", Beta(2, 2));
  const w = yield* sample("w", Dirichlet([1, 2, 3]));
  const l = yield* sample("L", LKJCholesky(3, 2));
  const tau = yield* sample("tau", HalfCauchy(1));
  const t = yield* sample("t", TruncatedNormal(0, 1, 0, Infinity));
  const angle = yield* sample("angle", VonMises(0, 2));
  const scale = yield* sample("scale", Pareto(1, 3));
  const z = yield* sample(
    "z",
    MultivariateNormal(tf.zeros([3]), { scaleTril: tf.mul(tf.expandDims(w, -1), l) }),
  );
  const mu = tf.add(tf.add(tf.mul(p, tau), tf.add(t, tf.sin(angle))), tf.mul(0.1, tf.sum(z)));
  yield* sample("y", StudentT(4, mu, tf.mul(sigma, scale)), { obs: y });
  yield* sample("prior_on_mu", Normal(0, 10), { obs: 0 });
}

describe("families under potential", () => {
  for (const [engine, h, tolerance] of [
    ["compiled", 1e-5, 1e-5],
    ["eager", 1e-2, 2e-2],
  ] as const) {
    it(`${engine}: finite log-density and gradient, matching central differences`, () => {
      const U = potential(model, [[0.3, 1.2, -0.4, 2.2]], { engine });
      expect(U.engine).toBe(engine);
      expect(U.dim).toBe(1 + 1 + 2 + 3 + 1 + 1 + 1 + 1 + 3);
      for (const seed of [0, 1, 2]) {
        const q = U.initialPoint(seed);
        const grad = new Float64Array(U.dim);
        const energy = U.valueAndGrad(q, grad);
        expect(Number.isFinite(energy)).toBe(true);
        expect(grad.every(Number.isFinite)).toBe(true);
        for (let i = 0; i < U.dim; i++) {
          const up = q.slice();
          const down = q.slice();
          up[i] += h;
          down[i] -= h;
          const numeric = -(U.logDensity(up) - U.logDensity(down)) / (2 * h);
          expect(Math.abs(grad[i] - numeric)).toBeLessThan(
            tolerance * Math.max(1, Math.abs(numeric)),
          );
        }
      }
    });
  }
});
