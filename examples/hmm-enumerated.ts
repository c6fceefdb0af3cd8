/**
 * The HMM of the PyMC example "How to wrap a JAX function for use in PyMC" (examples/hmm.ts)
 * written with its discrete hidden states as sample sites, the way a Pyro or NumPyro user
 * writes it: `markov` over time, the states marked for enumeration. Tyche sums them out (exact,
 * O(T K^2) along the chain), so NUTS samples the continuous parameters from the same marginal
 * posterior as the hand-written forward algorithm, and `inferDiscrete` decodes the states.
 *
 *   npx tsx examples/hmm-enumerated.ts
 */
import { fileURLToPath } from "node:url";
import {
  Categorical,
  condition,
  constant,
  Dirichlet,
  HalfNormal,
  inferDiscrete,
  MCMC,
  markov,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  sample,
  scan,
  tf,
  trace,
  vindex,
} from "../src/index.js";
import { emissions } from "./hmm.js";

/** Number of hidden states. */
export const NUM_STATES = 3;

/**
 * The hidden states and emissions of every sequence given the parameters: x_0 ~ p_initial,
 * x_t ~ p_transition[x_{t-1}], y_t ~ Normal((x_t + 1) * signal, noise).
 */
export function* hiddenStates(
  y: number[][],
  signal: tf.Tensor,
  noise: tf.Tensor,
  pInitial: tf.Tensor,
  pTransition: tf.Tensor,
) {
  // Numbers go through `constant` so that the compiled engine keeps their float64 values.
  const levels = constant([1, 2, 3]);
  yield* plate("sequences", y.length, function* () {
    let x: tf.Tensor | undefined;
    yield* markov(y[0].length, function* (t) {
      const probs = x === undefined ? pInitial : vindex(pTransition, x, -2);
      x = yield* sample(`x_${t}`, Categorical({ probs }), { infer: { enumerate: "parallel" } });
      const loc = tf.mul(vindex(levels, x), signal);
      yield* sample(`y_${t}`, Normal(loc, noise), { obs: y.map((row) => row[t]) });
    });
  });
}

/**
 * The same states and emissions written with `scan`, as NumPyro's `hmm_enum.py` does: the body
 * is one step, its carry the previous state and the step's index (step 0 draws from
 * p_initial), its input one column of the data. Under enumeration the scan is a markov chain:
 * the state is summed out along time by a forward message the loop carries, and the compiled
 * engine traces the body once, whatever the number of steps.
 */
export function* hiddenStatesScan(
  y: number[][],
  signal: tf.Tensor,
  noise: tf.Tensor,
  pInitial: tf.Tensor,
  pTransition: tf.Tensor,
) {
  const levels = constant([1, 2, 3]);
  const columns = y[0].map((_, t) => y.map((row) => row[t]));
  yield* scan(
    function* ({ x: xPrev, t }: { x: tf.Tensor; t: tf.Tensor }, column: tf.Tensor) {
      const probs = tf.where(tf.equal(t, 0), pInitial, vindex(pTransition, xPrev, -2));
      const x = yield* plate("sequences", y.length, function* () {
        const x = yield* sample("x", Categorical({ probs }), { infer: { enumerate: "parallel" } });
        yield* sample("y", Normal(tf.mul(vindex(levels, x), signal), noise), { obs: column });
        return x;
      });
      return [{ x, t: tf.add(t, 1) }, null] as const;
    },
    { x: tf.scalar(0, "int32"), t: tf.scalar(0) },
    columns,
  );
}

/** The priors of examples/hmm.ts. */
function* priors() {
  const signal = yield* sample("signal", Normal(0, 1));
  const noise = yield* sample("noise", HalfNormal(1));
  const pInitial = yield* sample("p_initial", Dirichlet(constant([1, 1, 1])));
  // Each row a simplex: one event of three rows, as Pyro's HMM examples write it.
  const pTransition = yield* sample(
    "p_transition",
    Dirichlet(
      constant([
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ]),
    ).toEvent(1),
  );
  return { signal, noise, pInitial, pTransition };
}

/** The full model: the priors of examples/hmm.ts, with the hidden states as sites. */
export function* hmmEnumerated(y: number[][]) {
  const { signal, noise, pInitial, pTransition } = yield* priors();
  yield* hiddenStates(y, signal, noise, pInitial, pTransition);
}

/** The full model with the states written with `scan` (`hiddenStatesScan`). */
export function* hmmEnumeratedScan(y: number[][]) {
  const { signal, noise, pInitial, pTransition } = yield* priors();
  yield* hiddenStatesScan(y, signal, noise, pInitial, pTransition);
}

/**
 * Fits the model with NUTS and decodes the most probable states at the posterior means.
 *
 * @example
 * await runEnumeratedDemo({ numWarmup: 200, numSamples: 200 });
 */
export async function runEnumeratedDemo(
  options: { numWarmup?: number; numSamples?: number; print?: (line: string) => void } = {},
) {
  const print = options.print ?? console.log;
  const mcmc = new MCMC(new NUTS(hmmEnumerated), {
    numWarmup: options.numWarmup ?? 1000,
    numSamples: options.numSamples ?? 1000,
    numChains: 2,
    progressBar: false,
  });
  await mcmc.run(PRNGKey(0), emissions);
  mcmc.printSummary();
  const s = mcmc.getSamples();
  const mean = (name: string) => {
    const d = s[name];
    const size = d.data.length / d.shape[0];
    const out = new Float64Array(size);
    for (let i = 0; i < d.data.length; i++) out[i % size] += d.data[i] / d.shape[0];
    return out;
  };
  const values = {
    signal: mean("signal")[0],
    noise: mean("noise")[0],
    p_initial: constant(mean("p_initial")),
    p_transition: tf.reshape(constant(mean("p_transition")), [3, 3]),
  };
  const decoded = trace(
    inferDiscrete(condition(hmmEnumerated, values), { temperature: 0 }),
  ).getTrace(emissions);
  const first = Array.from(
    { length: emissions[0].length },
    (_, t) => decoded.get(`x_${t}`).value.dataSync()[0],
  );
  print(`most probable states of the first sequence: ${first.join("")}`);
  return { mcmc, first };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runEnumeratedDemo();
