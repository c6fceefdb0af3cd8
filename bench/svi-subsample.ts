/**
 * SVI with plate subsampling on a logistic regression of 100,000 rows and 5 covariates
 * (simulated with a fixed seed), subsample 1,000 rows per step: steps per second of
 * `svi.update` (one-particle TraceELBO, AutoNormal, Adam) with the compiled engine against the
 * eager engine, measured in the same process, repeated `--repeats` times.
 *
 * The compiled engine traces the ELBO once with the guide's noise and the plate's subsample
 * indices as inputs, so the step's row gather runs as float64 JavaScript; the eager engine
 * differentiates the same ELBO with tfjs at every step.
 *
 *     npx tsx bench/svi-subsample.ts [--steps 200] [--repeats 3]
 */
import {
  Adam,
  AutoNormal,
  Bernoulli,
  constant,
  Normal,
  PRNGKey,
  plate,
  SVI,
  sample,
  TraceELBO,
  tf,
} from "../src/index.js";
import { compiledLossEngine, eagerLossEngine, type LossEngine } from "../src/infer/index.js";
import { normal as randomNormal, uniform } from "../src/infer/kernels.js";

const ROWS = 100_000;
const COLUMNS = 5;
const SUBSAMPLE = 1_000;

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const steps = argument("steps", 200);
const repeats = argument("repeats", 3);

// y_i ~ Bernoulli(logit = 0.3 + x_i . beta), x_ij ~ N(0, 1).
const trueBeta = [1, -0.5, 0.25, 0.8, -1.2];
const xs = randomNormal(PRNGKey(1), ROWS * COLUMNS);
const u = uniform(PRNGKey(2), ROWS);
const ys = new Float64Array(ROWS);
for (let i = 0; i < ROWS; i++) {
  let eta = 0.3;
  for (let j = 0; j < COLUMNS; j++) eta += xs[i * COLUMNS + j] * trueBeta[j];
  ys[i] = u[i] < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
}
const X = tf.reshape(constant(xs), [ROWS, COLUMNS]);
const Y = constant(ys);

function* logistic(x: tf.Tensor, y: tf.Tensor) {
  const alpha = yield* sample("alpha", Normal(0, 3));
  const beta = yield* sample("beta", Normal(0, 3).expand([COLUMNS]).toEvent(1));
  yield* plate(
    "data",
    ROWS,
    function* (idx) {
      const logits = tf.add(alpha, tf.sum(tf.mul(tf.gather(x, idx), beta), -1));
      yield* sample("y", Bernoulli({ logits }), { obs: tf.gather(y, idx) });
    },
    { subsampleSize: SUBSAMPLE },
  );
}

function stepsPerSecond(engine: LossEngine): number {
  const svi = new SVI(logistic, AutoNormal(logistic), Adam(0.01), TraceELBO(), { engine });
  let state = svi.init(PRNGKey(0), X, Y);
  for (let s = 0; s < 20; s++) state = svi.update(state, X, Y).state; // warm-up, compilation
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) state = svi.update(state, X, Y).state;
  return steps / ((performance.now() - t0) / 1000);
}

console.log(
  `logistic regression ${ROWS} x ${COLUMNS}, subsample ${SUBSAMPLE}, ${steps} timed steps`,
);
for (let r = 0; r < repeats; r++) {
  const eager = stepsPerSecond(eagerLossEngine);
  const compiled = stepsPerSecond(compiledLossEngine);
  console.log(
    `repeat ${r + 1}: eager ${eager.toFixed(0)} steps/s (${(1000 / eager).toFixed(2)} ms), ` +
      `compiled ${compiled.toFixed(0)} steps/s (${(1000 / compiled).toFixed(3)} ms): x${(compiled / eager).toFixed(1)}`,
  );
}
