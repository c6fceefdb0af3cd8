/**
 * Shared fixtures for the doc comments' examples (tests/doctest.test.ts), so that an example
 * can say `mcmc.run(PRNGKey(0), sigma, y)` without building eight schools first. Every name here
 * is in scope in every example, beside every export of the package's entry points and of the
 * example's own module (which take precedence over these).
 */
import fc from "fast-check";
import { expect } from "vitest";
import { makeKeplerOp, solveKepler } from "../../examples/kepler-solver.js";
import { compileObjective } from "../../src/compile/index.js";
import { traceObjective } from "../../src/compile/trace.js";
import {
  Adam,
  AutoNormal,
  Categorical,
  constant,
  constraints,
  Dirichlet,
  deterministic,
  HalfCauchy,
  MCMC,
  markov,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  SVI,
  sample,
  seed,
  TraceELBO,
  tf,
  trace,
  vindex,
} from "../../src/index.js";
import { buildObjective, eagerLossEngine, type GradientTarget } from "../../src/infer/index.js";
import {
  type ChainPlan,
  createPhasePoint,
  diagonalMetric,
  FlatLayout,
  type NutsSettings,
  refreshPoint,
} from "../../src/infer/kernels.js";
import { toInferenceData } from "../../src/io/index.js";

export { expect, fc, solveKepler };

/** Eight schools (Rubin 1981): the standard errors and the observed effects. */
export const J = 8;
export const sigma = [15, 10, 16, 11, 9, 11, 10, 18];
export const y = [28, 8, -3, 7, -1, 1, 18, 12];

/** Eight schools, non-centred. */
export function* eightSchools(sigma: number[], y?: number[]) {
  const mu = yield* sample("mu", Normal(0, 5));
  const tau = yield* sample("tau", HalfCauchy(5));
  yield* plate("J", sigma.length, function* () {
    const eta = yield* sample("eta", Normal(0, 1));
    const theta = yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
    yield* sample("obs", Normal(theta, tf.tensor(sigma)), { obs: y });
  });
}

/** A small data set and a model of it with one latent site, "z". */
export const data = [0.5, -0.3, 1.2, 0.8];
export function* model(observed: number[] = data) {
  const z = yield* sample("z", Normal(0, 1));
  yield* plate("data", observed.length, function* () {
    yield* sample("obs", Normal(z, 1), { obs: observed });
  });
  return z;
}

export const key = PRNGKey(0);
export const positive = constraints.positive;
export const dim = 2;
export const x = tf.tensor([0.5, -1, 2]);
export const mu = tf.scalar(0.3);
export const tau = tf.scalar(1.5);
export const eta = tf.tensor([0.1, -0.2, 0.3, 0, 0.5, -1, 1, 0.2]);
/** A trace of eight schools. */
export const tr = trace(seed(eightSchools, 0)).getTrace(sigma, y);

/** A standard normal potential, U(q) = |q|^2 / 2, in as many dimensions as q has. */
export const target: GradientTarget = {
  dim: 2,
  valueAndGrad(q: Float64Array, grad: Float64Array): number {
    let u = 0;
    for (let i = 0; i < q.length; i++) {
      u += 0.5 * q[i] * q[i];
      grad[i] = q[i];
    }
    return u;
  },
};

/** The layout of eight schools' global sites. */
export const layout = FlatLayout.of([
  { name: "mu", shape: [], constraint: constraints.real, dependent: false },
  { name: "tau", shape: [], constraint: constraints.positive, dependent: false },
]);

/** A recorded graph: sum(exp(x)) over three inputs. */
const traced = traceObjective((v) => tf.sum(tf.exp(v)), [[3]], [0], [Float64Array.of(1, 2, 3)]);
if (!traced.ok) throw new Error("doctest prelude: could not record the example graph");
export const graph = traced.trace.graph;

/** NUTS on eight schools, run briefly. */
export const mcmc = new MCMC(new NUTS(eightSchools), {
  numWarmup: 100,
  numSamples: 100,
  numChains: 2,
  progressBar: false,
});
await mcmc.run(PRNGKey(0), sigma, y);
/** The run as the io functions take it. */
export const run = mcmc.toMcmcRun();
export const samples = mcmc.getSamples();

/** SVI of `model` with an AutoNormal guide. */
export const guide = AutoNormal(model);
export const svi = new SVI(model, guide, Adam(0.01), TraceELBO());

/** A two-component Gaussian mixture with its assignments `z` marked for enumeration. */
export function* mixture(data: number[] = points) {
  const weights = yield* sample("weights", Dirichlet(constant([1, 1])));
  const locs = yield* sample("locs", Normal(constant([-1, 1]), 5).toEvent(1));
  yield* plate("data", data.length, function* () {
    const z = yield* sample("z", Categorical({ probs: weights }), {
      infer: { enumerate: "parallel" },
    });
    yield* sample("obs", Normal(vindex(locs, z), 1), { obs: data });
  });
}
export const points = [-2.1, -1.7, 1.9, 2.4, 2.2, -2.5, 1.6];

/** A two-state hidden Markov model, its states `x_t` marked for enumeration. */
export function* hmm(y: number[] = signal) {
  const transition = yield* sample(
    "transition",
    Dirichlet(
      constant([
        [3, 1],
        [1, 3],
      ]),
    ).toEvent(1),
  );
  const levels = yield* sample("levels", Normal(constant([0, 2]), 1).toEvent(1));
  let x = constant(0, "int32");
  yield* markov(y.length, function* (t) {
    x = yield* sample(`x_${t}`, Categorical({ probs: vindex(transition, x, -2) }), {
      infer: { enumerate: "parallel" },
    });
    yield* sample(`y_${t}`, Normal(vindex(levels, x), 0.5), { obs: y[t] });
  });
}
export const signal = [0.1, -0.3, 0.2, 2.1, 1.8, 2.4, 0.3, 0.0];

/** Kepler's equation as a custom op (examples/kepler-solver.ts). */
export const keplerE = makeKeplerOp("correct", "doctest.keplerE");

/** A compiled objective, sum(x^2) over three inputs, and its artifact. */
const compiledResult = compileObjective((v) => tf.sum(tf.square(v)), [[3]]);
if (!compiledResult.ok) throw new Error("doctest prelude: could not compile sum(x^2)");
export const compiled = compiledResult.compiled;
export const artifact = compiled.artifact;

/** For the kernels: NUTS settings, a chain plan, an identity metric and a phase point at q. */
export const settings: NutsSettings = { maxTreeDepth: 10, maxDeltaEnergy: 1000 };
export const plan: ChainPlan = {
  numWarmup: 100,
  numSamples: 100,
  thinning: 1,
  saveWarmup: false,
  init: { radius: 2, maxAttempts: 100 },
};
export const metric = diagonalMetric(Float64Array.of(1, 1));
export const point = createPhasePoint(2);
point.position.set([0.5, -0.5]);
point.potentialEnergy = target.valueAndGrad(point.position, point.gradient);
refreshPoint(metric, point);
/** A kernel state of `target`. */
export const state = {
  target,
  position: point.position.slice(),
  potentialEnergy: 0.25,
  gradient: point.gradient.slice(),
};

/** SVI's objective for `model` and `guide` on `data`, its eager evaluator and initial params. */
export const objective = buildObjective("SVI", model, guide, [data], TraceELBO(), PRNGKey(0));
export const evaluator = eagerLossEngine(objective);
export const params = objective.initialParams;
export const stepKey = PRNGKey(3);

/** The eight schools run as ArviZ InferenceData. */
export const idata = toInferenceData(run);

/** Fractional ranks, as simulation-based calibration makes them: 200 evenly spread values. */
export const fractionalRanks = Float64Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
export const ranks = fractionalRanks;
