import { describe, expect, it } from "vitest";
import { checkGrad } from "../src/compile/index.js";
import { PRNGKey, tf } from "../src/index.js";
import { potential } from "../src/infer/index.js";
import { uniform } from "../src/primitives/prng.js";
import data from "./data/hmm_data.json" with { type: "json" };
// The notebook's true parameters.
import { hmmModel, trueParameters as truth } from "./hmm.js";
import {
  hmmLogLikelihoodOp,
  hmmLogLikelihoodTf,
  hmmLogLikelihoodValueAndGrad,
} from "./hmm-likelihood.js";
import { plainLogLikelihood } from "./hmm-reference.js";

const args = (sequences: number[][]) =>
  [
    tf.scalar(truth.signal),
    tf.scalar(truth.noise),
    tf.tensor(truth.pInitial),
    tf.tensor(truth.pTransition),
    tf.tensor(sequences),
  ] as const;

describe("HMM log-likelihood", () => {
  const first = [data.emission_observed[0]];
  const all = data.emission_observed;
  const plainFirst = plainLogLikelihood(
    truth.signal,
    truth.noise,
    truth.pInitial,
    truth.pTransition,
    first,
  );
  const plainAll = plainLogLikelihood(
    truth.signal,
    truth.noise,
    truth.pInitial,
    truth.pTransition,
    all,
  );

  it("the custom op's float64 forward equals the plain float64 computation", () => {
    const def = hmmLogLikelihoodOp.definition;
    const shapes = [[], [], [3], [3, 3], [70, 51]];
    const value = def.forward(
      [
        Float64Array.of(truth.signal),
        Float64Array.of(truth.noise),
        Float64Array.from(truth.pInitial),
        Float64Array.from(truth.pTransition.flat()),
        Float64Array.from(all.flat()),
      ],
      shapes,
    )[0];
    expect(Math.abs(value - plainAll)).toBeLessThan(1e-9 * Math.abs(plainAll));
  });

  it("(a) tfjs ops, (b) the custom op and (b') the value-and-grad op agree with it in float32", () => {
    for (const [sequences, expected] of [
      [first, plainFirst],
      [all, plainAll],
    ] as const) {
      for (const f of [hmmLogLikelihoodTf, hmmLogLikelihoodOp, hmmLogLikelihoodValueAndGrad]) {
        const value = tf.tidy(() => f(...args(sequences as number[][])).dataSync()[0]);
        expect(Math.abs(value - expected)).toBeLessThan(2e-6 * Math.abs(expected) + 1e-3);
      }
    }
  });

  it("their gradients agree with each other and with central differences of the plain computation", () => {
    const h = 1e-6;
    const dSignal =
      (plainLogLikelihood(truth.signal + h, truth.noise, truth.pInitial, truth.pTransition, all) -
        plainLogLikelihood(truth.signal - h, truth.noise, truth.pInitial, truth.pTransition, all)) /
      (2 * h);
    const grads = [hmmLogLikelihoodTf, hmmLogLikelihoodOp, hmmLogLikelihoodValueAndGrad].map((f) =>
      tf.tidy(() => {
        const g = tf.grads((s: tf.Tensor, n: tf.Tensor, p0: tf.Tensor, P: tf.Tensor) =>
          f(s, n, p0, P, tf.tensor(all)),
        )([
          tf.scalar(truth.signal),
          tf.scalar(truth.noise),
          tf.tensor(truth.pInitial),
          tf.tensor(truth.pTransition),
        ]);
        return g.map((t) => Array.from(t.dataSync()));
      }),
    );
    for (const g of grads)
      expect(Math.abs(g[0][0] - dSignal)).toBeLessThan(1e-3 * Math.abs(dSignal));
    // (a) against (b) on every parameter, float32 tolerance relative to the gradient's scale.
    for (let input = 0; input < 4; input++) {
      for (let i = 0; i < grads[0][input].length; i++) {
        const scale = Math.max(1, Math.abs(grads[1][input][i]));
        expect(Math.abs(grads[0][input][i] - grads[1][input][i])).toBeLessThan(2e-3 * scale);
        expect(Math.abs(grads[2][input][i] - grads[1][input][i])).toBeLessThan(1e-4 * scale);
      }
    }
  });

  it("the backward-pass rule passes checkGrad in float64", () => {
    const result = checkGrad(
      hmmLogLikelihoodOp,
      [truth.signal, truth.noise, truth.pInitial, truth.pTransition, first],
      {
        rtol: 1e-5,
      },
    );
    expect(result.report).toMatch(/ok/);
  });
});

describe("HMM log-likelihood as scan", () => {
  it("has the for-loop version's compiled value and gradient (1e-10) at random points", () => {
    const y = data.emission_observed;
    const loop = potential(hmmModel, [y, "tfjs"]);
    const scanned = potential(hmmModel, [y, "scan"]);
    expect(scanned.engine).toBe("compiled");
    expect(scanned.dim).toBe(loop.dim);
    const u = uniform(PRNGKey(5), 5 * loop.dim, -1, 1);
    const gLoop = new Float64Array(loop.dim);
    const gScan = new Float64Array(loop.dim);
    for (let p = 0; p < 5; p++) {
      const q = u.slice(p * loop.dim, (p + 1) * loop.dim);
      const vLoop = loop.valueAndGrad(q, gLoop);
      const vScan = scanned.valueAndGrad(q, gScan);
      expect(Math.abs(vScan - vLoop)).toBeLessThan(1e-10 * Math.abs(vLoop));
      const scale = Math.max(...Array.from(gLoop, Math.abs));
      for (let i = 0; i < loop.dim; i++) {
        expect(Math.abs(gScan[i] - gLoop[i])).toBeLessThan(1e-10 * scale);
      }
    }
  });
});
