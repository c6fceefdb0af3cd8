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
  sample,
  trace,
  vmap,
} from "../src/index.js";
import { contractionCost, enumerationSetup } from "../src/infer/enum/log-joint.js";
import { potential } from "../src/infer/index.js";
import data from "./data/hmm_data.json" with { type: "json" };
import { trueParameters as truth } from "./hmm.js";
import { hiddenStates } from "./hmm-enumerated.js";
import { pathFrequencyCheck, viterbi } from "./hmm-oracles.js";

const y: number[][] = data.emission_observed;
const K = 3;

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
    const { failures, uncertain } = pathFrequencyCheck(paths, seq, noise);
    expect(failures).toEqual([]);
    expect(uncertain).toBeGreaterThan(10);
  });
});
