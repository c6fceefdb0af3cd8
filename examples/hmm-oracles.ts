/**
 * Oracles of the HMM tests, by hand in float64 at the notebook's true parameters (examples/hmm.ts):
 * the Viterbi path and the forward-backward marginals of one sequence.
 */
import { trueParameters as truth } from "./hmm.js";

const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

// Log emission densities of one sequence at the true signal.
const emission = (seq: number[], noise: number) =>
  seq.map((v) => [0, 1, 2].map((k) => logNormal(v, (k + 1) * truth.signal, noise)));

/** The most probable path of one sequence (Viterbi, in float64). */
export function viterbi(seq: number[], noise: number): number[] {
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

/**
 * Posterior marginals p(x_t) and pairwise marginals p(x_t, x_t+1) of one sequence by the scaled
 * forward-backward algorithm.
 */
export function forwardBackward(seq: number[], noise: number) {
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

/**
 * Checks draws of one sequence's paths (`paths[t][d]`: the state at step t of draw d) against
 * the forward-backward marginals and pairwise marginals: a count is plausible when within 4.5
 * sd of draws * p (normal approximation), or, where draws * p is small and the approximation
 * fails, when its Poisson tail beyond it is above 1e-6; a probability under 1e-9 must not be
 * drawn. Returns the implausible counts and how many marginals are uncertain (in (0.05, 0.95)),
 * so that a test can require the check to have teeth.
 */
export function pathFrequencyCheck(
  paths: ArrayLike<number>[],
  seq: number[],
  noise: number,
): { failures: string[]; uncertain: number } {
  const T = seq.length;
  const draws = paths[0].length;
  const { marginal, pairwise } = forwardBackward(seq, noise);
  const plausible = (count: number, p: number) => {
    if (p < 1e-9) return count === 0;
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
  const failures: string[] = [];
  let uncertain = 0;
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < 3; k++) {
      let count = 0;
      for (let d = 0; d < draws; d++) count += Number(paths[t][d] === k);
      if (marginal[t][k] > 0.05 && marginal[t][k] < 0.95) uncertain++;
      if (!plausible(count, marginal[t][k])) {
        failures.push(`p(x_${t} = ${k}) = ${marginal[t][k]}: ${count} of ${draws}`);
      }
    }
    if (t === T - 1) continue;
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) {
        let count = 0;
        for (let d = 0; d < draws; d++) count += Number(paths[t][d] === j && paths[t + 1][d] === k);
        if (!plausible(count, pairwise[t][j][k])) {
          failures.push(`p(x_${t} = ${j}, x_${t + 1} = ${k}) = ${pairwise[t][j][k]}: ${count}`);
        }
      }
    }
  }
  return { failures, uncertain };
}
