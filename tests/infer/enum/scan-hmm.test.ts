// markov inside scan: the PyMC notebook's HMM with its states enumerated, written with scan
// (examples/hmm-enumerated.ts, hiddenStatesScan), against the notebook's printed numbers, the
// markov for-loop form and the hand-written forward algorithm, in both engines; its compiled
// code does not grow with the number of steps; inferDiscrete, Predictive, MCMC's choice and
// TraceEnumELBO on it; and the structures it refuses.
import { afterAll, describe, expect, it, vi } from "vitest";
import data from "../../../examples/data/hmm_data.json" with { type: "json" };
import { hmmModel, trueParameters as truth } from "../../../examples/hmm.js";
import {
  hiddenStates,
  hiddenStatesScan,
  hmmEnumerated,
  hmmEnumeratedScan,
} from "../../../examples/hmm-enumerated.js";
import { pathFrequencyCheck, viterbi } from "../../../examples/hmm-oracles.js";
import {
  AutoDelta,
  Bernoulli,
  Beta,
  Categorical,
  condition,
  constant,
  constraints,
  Dirichlet,
  ImproperUniform,
  inferDiscrete,
  logDensity,
  ModelError,
  markov,
  mask,
  Normal,
  NUTS,
  PRNGKey,
  Predictive,
  plate,
  SGD,
  SVI,
  sample,
  scan,
  TraceEnumELBO,
  tf,
  trace,
  vindex,
  vmap,
} from "../../../src/index.js";
import { potential } from "../../../src/infer/index.js";
import { discreteStrategy } from "../../../src/infer/mcmc/discrete-strategy.js";
import { discoverModel } from "../../../src/infer/potential.js";

const y: number[][] = data.emission_observed;
const columns = (rows: number[][]) => rows[0].map((_, t) => rows.map((row) => row[t]));
const enumerated = { infer: { enumerate: "parallel" as const } };
type States = typeof hiddenStates;

// The states and emissions at fixed parameters, signal the one latent site (flat prior): the
// potential is minus the log-likelihood.
function atTruth(states: States, noise = truth.noise) {
  return function* likelihood(sequences: number[][]) {
    const signal = yield* sample("signal", ImproperUniform(constraints.real));
    yield* states(
      sequences,
      signal,
      constant(noise),
      constant(truth.pInitial),
      constant(truth.pTransition),
    );
  };
}

// The first state drawn before the scan: the scan's initial carry is an enumerated site.
const firstOutside: States = function* (sequences, signal, noise, pInitial, pTransition) {
  const levels = constant([1, 2, 3]);
  const cols = columns(sequences);
  const x0 = yield* plate("sequences", sequences.length, function* () {
    const x0 = yield* sample("x_0", Categorical({ probs: pInitial }), enumerated);
    yield* sample("y_0", Normal(tf.mul(vindex(levels, x0), signal), noise), { obs: cols[0] });
    return x0;
  });
  yield* scan(
    function* (xPrev: tf.Tensor, column: tf.Tensor) {
      const x = yield* plate("sequences", sequences.length, function* () {
        const probs = vindex(pTransition, xPrev, -2);
        const x = yield* sample("x", Categorical({ probs }), enumerated);
        yield* sample("y", Normal(tf.mul(vindex(levels, x), signal), noise), { obs: column });
        return x;
      });
      return [x, null] as const;
    },
    x0,
    cols.slice(1),
  );
};

const warn = vi.spyOn(console, "warn");
const info = vi.spyOn(console, "info").mockImplementation(() => {});
afterAll(() => {
  warn.mockRestore();
  info.mockRestore();
});
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("an HMM written with scan, its states enumerated", () => {
  it("has the notebook's log-likelihood and d/dsignal, traced once (both ways of starting)", () => {
    for (const states of [hiddenStatesScan, firstOutside]) {
      warn.mockClear();
      const U = potential(atTruth(states), [y]);
      expect(U.engine).toBe("compiled");
      const grad = new Float64Array(1);
      const value = U.valueAndGrad(Float64Array.of(truth.signal), grad);
      // The seed notebook's printed numbers.
      expect(relative(-value, -37.00348857)).toBeLessThan(1e-7);
      expect(relative(-grad[0], -297.86490611)).toBeLessThan(1e-7);
      // One loop kernel: no warning that the steps were recorded one by one.
      expect(warn).not.toHaveBeenCalled();
    }
  });

  it("equals the markov for-loop form and the forward algorithm at random points, in both engines", () => {
    for (const engine of ["compiled", "eager"] as const) {
      const scanned = potential(hmmEnumeratedScan, [y], { engine });
      const loop = potential(hmmEnumerated, [y], { engine });
      const forwardAlgorithm = potential(hmmModel, [y, "tfjs"], { engine });
      expect(scanned.engine).toBe(engine);
      // float64 against float32's rounding over 3,570 emissions.
      const tol = engine === "compiled" ? 1e-10 : 2e-5;
      for (const key of [1, 2]) {
        const q = scanned.initialPoint(key);
        const grads = [0, 1, 2].map(() => new Float64Array(q.length));
        const values = [scanned, loop, forwardAlgorithm].map((U, i) => U.valueAndGrad(q, grads[i]));
        for (const i of [1, 2]) {
          expect(relative(values[0], values[i])).toBeLessThan(tol);
          const scale = Math.max(...grads[i].map(Math.abs));
          for (let j = 0; j < q.length; j++) {
            expect(Math.abs(grads[0][j] - grads[i][j]) / scale).toBeLessThan(tol);
          }
        }
      }
    }
  });

  it("compiles to the same code whatever the number of steps", () => {
    const sourceAt = (T: number) => {
      const U = potential(atTruth(hiddenStatesScan), [y.map((row) => row.slice(0, T))]);
      return U.artifact?.valueAndGrad.source.replace(/\d+/g, "0");
    };
    const short = sourceAt(10);
    expect(short).toBeDefined();
    expect(sourceAt(40)).toBe(short);
  });

  it("inferDiscrete gives the Viterbi paths (by hand and the markov form's), and draws series of the data's shape", () => {
    const decode = (states: States, noise: number) =>
      trace(
        inferDiscrete(condition(atTruth(states, noise), { signal: truth.signal }), {
          temperature: 0,
        }),
      ).getTrace(y);
    const loopPaths = (noise: number) => {
      const loop = decode(hiddenStates, noise);
      return Array.from({ length: y[0].length }, (_, t) =>
        Array.from(loop.get(`x_${t}`).value.dataSync()),
      );
    };
    // A noise of 1.5: uncertain states, where the transitions matter to the traceback.
    const uncertain = loopPaths(1.5);
    const scanned = decode(hiddenStatesScan, 1.5).get("x").value;
    expect(scanned.shape).toEqual([y[0].length, y.length]);
    expect(scanned.arraySync()).toEqual(uncertain);
    // Both are the float64 Viterbi path of every sequence, by hand.
    const byHand = y.map((seq) => viterbi(seq, 1.5));
    expect(uncertain).toEqual(y[0].map((_, t) => byHand.map((path) => path[t])));
    const outside = decode(firstOutside, 1.5);
    expect(Array.from(outside.get("x_0").value.dataSync())).toEqual(uncertain[0]);
    expect(outside.get("x").value.arraySync()).toEqual(uncertain.slice(1));
    const expected = loopPaths(truth.noise);

    const draws = new Predictive(hmmEnumeratedScan, {
      posteriorSamples: {
        signal: { shape: [2], data: Float64Array.of(1.1, 1.2) },
        noise: { shape: [2], data: Float64Array.of(0.15, 0.16) },
        p_initial: { shape: [2, 3], data: Float64Array.of(...truth.pInitial, ...truth.pInitial) },
        p_transition: {
          shape: [2, 3, 3],
          data: Float64Array.from([...truth.pTransition.flat(), ...truth.pTransition.flat()]),
        },
      },
      inferDiscrete: true,
      returnSites: ["x"],
    }).run(PRNGKey(3), y);
    expect(draws.x.shape).toEqual([2, y[0].length, y.length]);
    // At the data's small noise the posterior states are nearly certain: the Viterbi path.
    const agree = draws.x.data.slice(0, y.length * y[0].length).filter((v, i) => {
      return v === expected[Math.floor(i / y.length)][i % y.length];
    }).length;
    expect(agree / (y.length * y[0].length)).toBeGreaterThan(0.95);
  });

  it("inferDiscrete at temperature 1 draws paths with the forward-backward marginals (one sequence)", () => {
    const noise = 0.5;
    const seq = y[0];
    const batched = vmap(condition(atTruth(hiddenStatesScan, noise), { signal: truth.signal }), {
      size: 2000,
    });
    const tr = trace(inferDiscrete(batched, { temperature: 1, key: PRNGKey(7) })).getTrace([seq]);
    const x = tr.get("x").value; // [draws, T, 1]
    expect(x.shape).toEqual([2000, seq.length, 1]);
    const values = x.dataSync();
    const paths = Array.from({ length: seq.length }, (_, t) =>
      Array.from({ length: 2000 }, (_, d) => values[d * seq.length + t]),
    );
    const { failures, uncertain } = pathFrequencyCheck(paths, seq, noise);
    expect(failures).toEqual([]);
    expect(uncertain).toBeGreaterThan(10);
  });

  it("is summed out by MCMC's default choice, and by TraceEnumELBO as by the for-loop form", () => {
    function* unmarked(sequences: number[][]) {
      const signal = yield* sample("signal", Normal(0, 1));
      const levels = constant([1, 2, 3]);
      const probs = constant(truth.pTransition);
      yield* scan(
        function* (xPrev: tf.Tensor, column: tf.Tensor) {
          const x = yield* plate("sequences", sequences.length, function* () {
            const x = yield* sample("x", Categorical({ probs: vindex(probs, xPrev, -2) }));
            yield* sample("y", Normal(tf.mul(vindex(levels, x), signal), 0.15), { obs: column });
            return x;
          });
          return [x, null] as const;
        },
        tf.scalar(0, "int32"),
        columns(sequences),
      );
    }
    const short: [number[][]] = [y.slice(0, 5).map((row) => row.slice(0, 8))];
    const strategy = discreteStrategy(new NUTS(unmarked), short, discoverModel(unmarked, short));
    expect(strategy.enumerated).toBe(true);
    expect(info).toHaveBeenLastCalledWith(expect.stringMatching(/"x" are summed out/));

    // A point-mass guide has no entropy: the loss is minus the log joint, the same both ways.
    const losses = [hmmEnumeratedScan, hmmEnumerated].map((model) => {
      const svi = new SVI(model, AutoDelta(model), SGD(0.01), TraceEnumELBO());
      return svi.evaluate(svi.init(PRNGKey(0), y), y);
    });
    expect(relative(losses[0], losses[1])).toBeLessThan(1e-10);
  });

  it("refuses a carry that holds the previous step's state, and chains in different plates", () => {
    function* secondOrder(sequences: number[][]) {
      const probs = constant(truth.pTransition);
      yield* scan(
        function* ([older, xPrev]: [tf.Tensor, tf.Tensor], column: tf.Tensor) {
          const x = yield* sample(
            "x",
            Categorical({ probs: vindex(probs, xPrev, -2) }),
            enumerated,
          );
          yield* sample("y", Normal(tf.add(x, older), 1), { obs: column });
          return [[xPrev, x], null] as [[tf.Tensor, tf.Tensor], null];
        },
        [tf.scalar(0, "int32"), tf.scalar(0, "int32")] as [tf.Tensor, tf.Tensor],
        sequences[0],
      );
    }
    expect(() => potential(secondOrder, [y.slice(0, 1)])).toThrow(ModelError);
    expect(() => potential(secondOrder, [y.slice(0, 1)])).toThrow(
      /depends on the value of the enumerated site "x" at the previous step/,
    );

    function* twoPlates(sequences: number[][]) {
      yield* scan(
        function* (carry: tf.Tensor, column: tf.Tensor) {
          const a = yield* plate("p", 2, function* () {
            return yield* sample("a", Categorical({ probs: [0.5, 0.5] }), enumerated);
          });
          const b = yield* sample("b", Categorical({ probs: [0.5, 0.5] }), enumerated);
          yield* sample("y", Normal(tf.add(tf.sum(a, -1), b), 1), { obs: column });
          return [carry, null] as const;
        },
        tf.scalar(0),
        sequences[0],
      );
    }
    expect(() => potential(twoPlates, [y.slice(0, 1)], { engine: "eager" })).toThrow(
      /enumerated sites "a" and "b" of the body sit in different plates/,
    );
  });
});

// A regime drawn outside the scan shifts every emission of a chain scanned inside it: the
// outside variable and the chain are one joint posterior. The oracle enumerates all 2 x 3^5
// configurations in plain float64.
describe("a scanned chain with a regime drawn outside it, against brute-force enumeration", () => {
  const pRegime = [0.4, 0.6];
  const shifts = [0, 0.8];
  const P = [
    [0.7, 0.2, 0.1],
    [0.15, 0.7, 0.15],
    [0.1, 0.3, 0.6],
  ];
  const means = [-1, 0.5, 2];
  const obs = [0.2, 1.1, -0.4, 2.3, 1.0];
  const mu = 0.1;
  function* regimeModel(ys: number[]) {
    const m = yield* sample("mu", ImproperUniform(constraints.real));
    const regime = yield* sample("regime", Categorical({ probs: pRegime }), enumerated);
    const shift = tf.add(vindex(constant(shifts), regime), m);
    yield* scan(
      function* (xPrev: tf.Tensor, yt: tf.Tensor) {
        const probs = vindex(constant(P), xPrev, -2);
        const x = yield* sample("x", Categorical({ probs }), enumerated);
        yield* sample("y", Normal(tf.add(vindex(constant(means), x), shift), 1), { obs: yt });
        return [x, null] as const;
      },
      tf.scalar(0, "int32"),
      ys,
    );
  }
  // Every configuration [regime, x_1, ..., x_T] with its log joint (the chain starts from 0).
  const logNormal = (v: number, m: number) => -0.5 * (v - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
  const configurations: Array<{ regime: number; path: number[]; logp: number }> = [];
  for (let code = 0; code < 2 * 3 ** obs.length; code++) {
    const regime = code % 2;
    const path = obs.map((_, t) => Math.floor(code / (2 * 3 ** t)) % 3);
    let logp = Math.log(pRegime[regime]);
    path.forEach((x, t) => {
      logp += Math.log(P[t === 0 ? 0 : path[t - 1]][x]);
      logp += logNormal(obs[t], means[x] + shifts[regime] + mu);
    });
    configurations.push({ regime, path, logp });
  }
  const top = Math.max(...configurations.map((c) => c.logp));
  const logMarginal =
    top + Math.log(configurations.reduce((s, c) => s + Math.exp(c.logp - top), 0));
  const posterior = (event: (c: (typeof configurations)[number]) => boolean) =>
    configurations.filter(event).reduce((s, c) => s + Math.exp(c.logp - logMarginal), 0);

  it("sums the regime and the chain out exactly, in both engines", () => {
    for (const engine of ["compiled", "eager"] as const) {
      const U = potential(regimeModel, [obs], { engine });
      expect(U.engine).toBe(engine);
      const value = U.valueAndGrad(Float64Array.of(mu), new Float64Array(1));
      expect(relative(-value, logMarginal)).toBeLessThan(engine === "compiled" ? 1e-12 : 1e-6);
    }
  });

  it("inferDiscrete at temperature 0 gives the joint mode", () => {
    const mode = configurations.find((c) => c.logp === top)!;
    const fixed = condition(regimeModel, { mu });
    const tr = trace(inferDiscrete(fixed, { temperature: 0 })).getTrace(obs);
    expect(tr.get("regime").value.arraySync()).toBe(mode.regime);
    expect(tr.get("x").value.arraySync()).toEqual(mode.path);
  });

  it("inferDiscrete at temperature 1 draws the regime and the states jointly from their posterior", () => {
    const draws = 2000;
    const batched = vmap(condition(regimeModel, { mu }), { size: draws });
    const tr = trace(inferDiscrete(batched, { temperature: 1, key: PRNGKey(11) })).getTrace(obs);
    const regimes = tr.get("regime").value.dataSync(); // [draws, 1]
    const x = tr.get("x").value; // [draws, T]
    expect(x.shape).toEqual([draws, obs.length]);
    const paths = x.dataSync();
    // Every cell of regime x state at every step: the joint the two are drawn from.
    const zs: number[] = [];
    let uncertain = 0;
    for (let t = 0; t < obs.length; t++) {
      for (let r = 0; r < 2; r++) {
        for (let k = 0; k < 3; k++) {
          const p = posterior((c) => c.regime === r && c.path[t] === k);
          let count = 0;
          for (let d = 0; d < draws; d++) {
            count += Number(regimes[d] === r && paths[d * obs.length + t] === k);
          }
          if (p > 0.05 && p < 0.95) uncertain++;
          zs.push((count - draws * p) / Math.sqrt(draws * p * (1 - p)));
        }
      }
    }
    expect(uncertain).toBeGreaterThan(10);
    expect(Math.max(...zs.map(Math.abs))).toBeLessThan(4.5);
  });
});

// NumPyro's examples/hmm_enum.py model_1 as its users write it (sequences of different lengths
// masked, a "tones" plate inside the body, Bernoulli emissions indexed by the state, the step
// counter a number in the carry), and Pyro's model_1 with a markov for-loop: the same model.
// The oracle sums each sequence over all 3^9 paths in plain float64 (a masked step's sites have
// log-probability 0, so its state contributes a factor 3, as in Pyro and NumPyro).
describe("NumPyro's hmm_enum model_1 (masked lengths, a plate inside the body)", () => {
  const K = 3;
  const lengths = [9, 5, 7, 8, 6];
  const tones = 4;
  let state = 99;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const sequences = lengths.map((n) =>
    Array.from({ length: 9 }, (_, t) =>
      Array.from({ length: tones }, () => (t < n && rand() < 0.4 ? 1 : 0)),
    ),
  );
  const args = [constant(sequences), constant(lengths, "int32")] as const;

  function* priors(includePrior: boolean) {
    return yield* mask(function* () {
      const probsX = yield* sample(
        "probs_x",
        Dirichlet(tf.add(tf.mul(0.9, tf.eye(K)), 0.1)).toEvent(1),
      );
      const probsY = yield* sample("probs_y", Beta(0.1, 0.9).expand([K, tones]).toEvent(2));
      return { probsX, probsY };
    }, includePrior)();
  }
  function* scanned(data: tf.Tensor, lens: tf.Tensor, includePrior = true) {
    const [numSequences, , dataDim] = data.shape as [number, number, number];
    const { probsX, probsY } = yield* priors(includePrior);
    function* transition([xPrev, t]: readonly [tf.Tensor, tf.Tensor], y: tf.Tensor) {
      const x = yield* plate(
        "sequences",
        numSequences,
        function* () {
          return yield* mask(
            function* () {
              const probs = vindex(probsX, xPrev, -2);
              const x = yield* sample("x", Categorical({ probs }), enumerated);
              yield* plate(
                "tones",
                dataDim,
                function* () {
                  const p = vindex(probsY, tf.squeeze(x, [-1]), -2);
                  yield* sample("y", Bernoulli({ probs: p }), { obs: y });
                },
                { dim: -1 },
              );
              return x;
            },
            tf.expandDims(tf.less(t, lens), -1),
          )();
        },
        { dim: -2 },
      );
      return [[x, tf.add(t, 1)], null] as const;
    }
    const xInit = tf.zeros([numSequences, 1], "int32");
    yield* scan(transition, [xInit, 0], tf.transpose(data, [1, 0, 2]));
  }
  function* markovLoop(data: tf.Tensor, lens: tf.Tensor, includePrior = true) {
    const [numSequences, maxLength, dataDim] = data.shape as [number, number, number];
    const { probsX, probsY } = yield* priors(includePrior);
    const columns = tf.unstack(data, 1);
    yield* plate(
      "sequences",
      numSequences,
      function* () {
        let x: tf.Tensor = tf.scalar(0, "int32");
        yield* markov(maxLength, function* (t) {
          yield* mask(
            function* () {
              const probs = vindex(probsX, x, -2);
              x = yield* sample(`x_${t}`, Categorical({ probs }), enumerated);
              yield* plate(
                "tones",
                dataDim,
                function* () {
                  const p = vindex(probsY, tf.squeeze(x, [-1]), -2);
                  yield* sample(`y_${t}`, Bernoulli({ probs: p }), { obs: columns[t] });
                },
                { dim: -1 },
              );
            },
            tf.expandDims(tf.less(t, lens), -1),
          )();
        });
      },
      { dim: -2 },
    );
  }

  it("has the log-likelihood of brute-force enumeration, and the markov form's potential", () => {
    const probsX = [
      [0.6, 0.3, 0.1],
      [0.2, 0.5, 0.3],
      [0.25, 0.25, 0.5],
    ];
    const probsY = [
      [0.1, 0.7, 0.3, 0.5],
      [0.8, 0.2, 0.4, 0.1],
      [0.5, 0.5, 0.9, 0.05],
    ];
    let exact = 0;
    sequences.forEach((seq, n) => {
      let sum = 0;
      for (let code = 0; code < K ** 9; code++) {
        let lp = 0;
        let previous = 0;
        for (let t = 0; t < 9; t++) {
          const x = Math.floor(code / K ** t) % K;
          if (t < lengths[n]) {
            lp += Math.log(probsX[previous][x]);
            seq[t].forEach((v, d) => {
              lp += Math.log(v === 1 ? probsY[x][d] : 1 - probsY[x][d]);
            });
          }
          previous = x;
        }
        sum += Math.exp(lp);
      }
      exact += Math.log(sum);
    });
    for (const model of [scanned, markovLoop]) {
      const value = logDensity(model, [...args, false], { probs_x: probsX, probs_y: probsY });
      // logDensity runs eagerly, in float32.
      expect(relative(value, exact)).toBeLessThan(1e-6);
    }

    const a = potential(scanned, [...args]);
    const b = potential(markovLoop, [...args]);
    expect([a.engine, b.engine]).toEqual(["compiled", "compiled"]);
    const q = a.initialPoint(1);
    const grads = [new Float64Array(q.length), new Float64Array(q.length)];
    expect(relative(a.valueAndGrad(q, grads[0]), b.valueAndGrad(q, grads[1]))).toBeLessThan(1e-12);
    for (let i = 0; i < q.length; i++) expect(grads[0][i]).toBeCloseTo(grads[1][i], 10);
  });
});
