// The PyMC notebook's HMM with explicit discrete states (examples/hmm-enumerated.ts): its
// enumerated marginal likelihood against the notebook's printed numbers, and inferDiscrete
// against a Viterbi path and forward-backward marginals computed by hand in float64.
import { describe, expect, it } from "vitest";
import {
  condition,
  constant,
  constraints,
  enumerate,
  ImproperUniform,
  inferDiscrete,
  PRNGKey,
  potential,
  sample,
  trace,
  vmap,
} from "../src/index.js";
import { contractionCost, enumerationSetup } from "../src/infer/enum/log-joint.js";
import data from "./data/hmm_data.json" with { type: "json" };
import { trueParameters as truth } from "./hmm.js";
import { hiddenStates } from "./hmm-enumerated.js";

const y: number[][] = data.emission_observed;
const K = 3;
const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

// The states and emissions at fixed parameters; signal is the one latent site (flat prior), so
// the potential is minus the log-likelihood.
function atTruth(noise: number) {
  return function* likelihood(sequences: number[][]) {
    const signal = yield* sample("signal", ImproperUniform(constraints.real));
    yield* hiddenStates(
      sequences,
      signal,
      constant(noise),
      constant(truth.pInitial),
      constant(truth.pTransition),
    );
  };
}

// Log emission densities of one sequence at the true signal.
const emission = (seq: number[], noise: number) =>
  seq.map((v) => [0, 1, 2].map((k) => logNormal(v, (k + 1) * truth.signal, noise)));

function viterbi(seq: number[], noise: number): number[] {
  const e = emission(seq, noise);
  let delta = [0, 1, 2].map((k) => Math.log(truth.pInitial[k]) + e[0][k]);
  const back: number[][] = [];
  for (let t = 1; t < seq.length; t++) {
    const from = [0, 1, 2].map((k) => {
      const scores = [0, 1, 2].map((j) => delta[j] + Math.log(truth.pTransition[j][k]));
      return scores.indexOf(Math.max(...scores));
    });
    delta = [0, 1, 2].map(
      (k) => delta[from[k]] + Math.log(truth.pTransition[from[k]][k]) + e[t][k],
    );
    back.push(from);
  }
  const path = [delta.indexOf(Math.max(...delta))];
  for (let t = seq.length - 1; t > 0; t--) path.unshift(back[t - 1][path[0]]);
  return path;
}

// Posterior marginals p(x_t) and pairwise marginals p(x_t, x_t+1) by the scaled forward-backward
// algorithm.
function forwardBackward(seq: number[], noise: number) {
  const T = seq.length;
  const like = emission(seq, noise).map((row) => row.map(Math.exp));
  const P = truth.pTransition;
  const alpha: number[][] = [];
  const c: number[] = [];
  for (let t = 0; t < T; t++) {
    const a = [0, 1, 2].map(
      (k) =>
        like[t][k] *
        (t === 0
          ? truth.pInitial[k]
          : [0, 1, 2].reduce((s, j) => s + alpha[t - 1][j] * P[j][k], 0)),
    );
    c[t] = a[0] + a[1] + a[2];
    alpha.push(a.map((v) => v / c[t]));
  }
  const beta: number[][] = new Array(T);
  beta[T - 1] = [1, 1, 1];
  for (let t = T - 2; t >= 0; t--) {
    beta[t] = [0, 1, 2].map(
      (j) =>
        [0, 1, 2].reduce((s, k) => s + P[j][k] * like[t + 1][k] * beta[t + 1][k], 0) / c[t + 1],
    );
  }
  const marginal = alpha.map((a, t) => a.map((v, k) => v * beta[t][k]));
  const pairwise = Array.from({ length: T - 1 }, (_, t) =>
    [0, 1, 2].map((j) =>
      [0, 1, 2].map((k) => (alpha[t][j] * P[j][k] * like[t + 1][k] * beta[t + 1][k]) / c[t + 1]),
    ),
  );
  return { marginal, pairwise };
}

describe("the PyMC HMM with enumerated discrete states", () => {
  it("has the notebook's marginal log-likelihood and d/dsignal at the true parameters (float64)", () => {
    const U = potential(atTruth(truth.noise), [y]);
    expect(U.engine).toBe("compiled");
    const grad = new Float64Array(1);
    const value = U.valueAndGrad(Float64Array.of(truth.signal), grad);
    // The seed notebook's printed numbers.
    expect(Math.abs(-value - -37.00348857) / 37.00348857).toBeLessThan(1e-7);
    expect(Math.abs(-grad[0] - -297.86490611) / 297.86490611).toBeLessThan(1e-7);
  });

  it("reuses two enumeration dims along the chain (markov), so the work grows as T K^2", () => {
    const fixed = condition(atTruth(truth.noise), { signal: truth.signal });
    const tr = trace(enumerate(fixed, { maxPlateNesting: 1 })).getTrace(y);
    expect([0, 1, 2, 3, 50].map((t) => tr.get(`x_${t}`).value.shape)).toEqual([
      [3, 1],
      [3, 1, 1],
      [3, 1],
      [3, 1, 1],
      [3, 1],
    ]);
    // Elements built per evaluation: one K x K x N term per step.
    const cost = (T: number) => {
      const args: [number[][]] = [y.map((row) => row.slice(0, T))];
      return contractionCost("test", fixed, args, enumerationSetup("test", fixed, args));
    };
    const N = y.length;
    expect(cost(10)).toBeLessThanOrEqual(10 * K * K * N);
    expect(cost(40)).toBeLessThanOrEqual(40 * K * K * N);
    expect(cost(40) / cost(10)).toBeLessThan(4.5);
  });

  it("inferDiscrete at temperature 0 is the Viterbi path of every sequence", () => {
    const fixed = condition(atTruth(truth.noise), { signal: truth.signal });
    const tr = trace(inferDiscrete(fixed, { temperature: 0 })).getTrace(y);
    const T = y[0].length;
    const decoded = Array.from({ length: T }, (_, t) =>
      Array.from(tr.get(`x_${t}`).value.dataSync()),
    );
    let same = 0;
    let correct = 0;
    let viterbiCorrect = 0;
    y.forEach((seq, n) => {
      const path = viterbi(seq, truth.noise);
      for (let t = 0; t < T; t++) {
        same += Number(decoded[t][n] === path[t]);
        correct += Number(decoded[t][n] === data.hidden_state[n][t]);
        viterbiCorrect += Number(path[t] === data.hidden_state[n][t]);
      }
    });
    expect(same).toBe(y.length * T);
    expect(correct).toBe(viterbiCorrect);
  });

  it("inferDiscrete at temperature 1 draws paths with the forward-backward marginals (one sequence)", () => {
    // A noise of 0.5 instead of 0.15 makes the states uncertain, so the check has teeth.
    const noise = 0.5;
    const seq = y[0];
    const T = seq.length;
    const draws = 2000;
    const batched = vmap(condition(atTruth(noise), { signal: truth.signal }), { size: draws });
    const tr = trace(inferDiscrete(batched, { temperature: 1, key: PRNGKey(7) })).getTrace([seq]);
    const paths = Array.from({ length: T }, (_, t) => tr.get(`x_${t}`).value.dataSync());
    const { marginal, pairwise } = forwardBackward(seq, noise);
    // A count is plausible when within 4.5 sd of draws * p (normal approximation), or, where
    // draws * p is small and the approximation fails, when its Poisson tail beyond it is above 1e-6.
    const plausible = (count: number, p: number) => {
      const expected = draws * p;
      if (expected >= 20 && draws * (1 - p) >= 20) {
        return Math.abs(count - expected) / Math.sqrt(draws * p * (1 - p)) < 4.5;
      }
      const small = Math.min(expected, draws - expected);
      const c = expected <= draws - expected ? count : draws - count;
      let term = Math.exp(-small);
      let below = 0;
      for (let i = 0; i < c; i++) {
        below += term;
        term *= small / (i + 1);
      }
      // P(X >= c) = 1 - P(X < c), and P(X <= c) = P(X < c) + P(X = c).
      return 1 - below > 1e-6 && below + term > 1e-6;
    };
    let uncertain = 0;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < K; k++) {
        let count = 0;
        for (const x of paths[t]) count += Number(x === k);
        if (marginal[t][k] > 0.05 && marginal[t][k] < 0.95) uncertain++;
        if (marginal[t][k] < 1e-9) expect(count).toBe(0);
        else expect(plausible(count, marginal[t][k])).toBe(true);
      }
      if (t === T - 1) continue;
      for (let j = 0; j < K; j++) {
        for (let k = 0; k < K; k++) {
          let count = 0;
          for (let d = 0; d < draws; d++)
            count += Number(paths[t][d] === j && paths[t + 1][d] === k);
          if (pairwise[t][j][k] < 1e-9) expect(count).toBe(0);
          else expect(plausible(count, pairwise[t][j][k])).toBe(true);
        }
      }
    }
    expect(uncertain).toBeGreaterThan(10);
  });
});
