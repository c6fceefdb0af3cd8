/**
 * A custom derivative rule that the sampler really uses: a radial-velocity fit of one planet
 * whose model solves Kepler's equation with a custom op.
 *
 *   npx tsx examples/kepler.ts
 *
 * The motivating forum thread: a user's custom gradient for a Kepler solver was silently
 * ignored by the sampler, and their rule for dE/de was wrong. Here
 *   (1) `checkGrad` passes the correct rule and fails the forum's rule loudly;
 *   (2) NUTS's gradients go through the rule: the op's VJP call count rises while sampling,
 *       in the eager and in the compiled engine;
 *   (3) the posterior covers the true orbit.
 */
import { fileURLToPath } from "node:url";
import { checkGrad } from "../src/compile/index.js";
import {
  constant,
  constraints,
  factor,
  HalfNormal,
  ImproperUniform,
  LogNormal,
  MCMC,
  Normal,
  NUTS,
  PRNGKey,
  plate,
  sample,
  split,
  tf,
  Uniform,
} from "../src/index.js";
import { normal, uniform } from "../src/infer/kernels.js";
import { keplerE, makeKeplerOp } from "./kepler-solver.js";

/** The orbit the data are simulated from. */
export const trueOrbit = {
  period: 23.5, // days
  semiAmplitude: 12, // m/s
  eccentricity: 0.3,
  periastronArgument: 1.1, // omega, radians
  phase: 0.7, // mean anomaly at t = 0, radians
  systemicVelocity: 3, // m/s
  jitter: 1.5, // m/s
};

/** The radial velocity of an orbit at times t (plain float64, for simulation and checks). */
export function radialVelocity(
  t: Float64Array,
  orbit: typeof trueOrbit,
  solve: (M: number, e: number) => number,
): Float64Array {
  const {
    period,
    semiAmplitude: K,
    eccentricity: e,
    periastronArgument: w,
    phase,
    systemicVelocity,
  } = orbit;
  return t.map((ti) => {
    const E = solve((2 * Math.PI * ti) / period + phase, e);
    const nu =
      2 * Math.atan2(Math.sqrt(1 + e) * Math.sin(E / 2), Math.sqrt(1 - e) * Math.cos(E / 2));
    return systemicVelocity + K * (Math.cos(w + nu) + e * Math.cos(w));
  });
}

/** Synthetic data: 40 epochs over 200 days, measurement errors of 2 m/s, plus the jitter. */
export function simulateData(seed = 42, solve: (M: number, e: number) => number) {
  const [timeKey, noiseKey] = split(PRNGKey(seed));
  const t = uniform(timeKey, 40, 0, 200).sort();
  const sigma = new Float64Array(40).fill(2);
  const v = radialVelocity(t, trueOrbit, solve);
  const z = normal(noiseKey, 40);
  const noiseSd = Math.hypot(2, trueOrbit.jitter);
  return { t, sigma, v: v.map((vi, i) => vi + noiseSd * z[i]) };
}

/** The data the model takes. */
export interface RadialVelocities {
  t: Float64Array;
  sigma: Float64Array;
  v: Float64Array;
}

/**
 * An angle as a 2-D vector with a flat density in direction and a radius kept near 1: the
 * angle is uniform on the circle, and NUTS never meets the singular origin (a plain
 * Normal(0, 1) pair puts mass near it, where the angle turns abruptly: divergences).
 */
function* unitVector(name: string) {
  const vector = yield* sample(name, ImproperUniform(constraints.realVector, [], [2]));
  const radius = tf.sqrt(tf.sum(tf.square(vector)));
  yield* factor(`${name}Radius`, tf.mul(-0.5, tf.square(tf.div(tf.sub(radius, 1), 0.1))));
  return vector;
}

/**
 * The radial-velocity model. Angles are sampled as unconstrained 2-D vectors whose direction
 * is the angle (NUTS cannot wrap around a circle); the eccentricity on (0, 0.9).
 */
export function* radialVelocityModel(data: RadialVelocities) {
  const period = yield* sample("period", LogNormal(Math.log(23), 0.05));
  const semiAmplitude = yield* sample("semiAmplitude", LogNormal(Math.log(10), 1));
  const eccentricity = yield* sample("eccentricity", Uniform(0, 0.9));
  const omegaVector = yield* unitVector("omegaVector");
  const phaseVector = yield* unitVector("phaseVector");
  const systemicVelocity = yield* sample("systemicVelocity", Normal(0, 10));
  const jitter = yield* sample("jitter", HalfNormal(5));

  const angle = (vector: tf.Tensor) => tf.atan2(tf.gather(vector, 1), tf.gather(vector, 0));
  const omega = angle(omegaVector);
  const phase = angle(phaseVector);
  const t = constant(data.t);
  const meanAnomaly = tf.add(tf.mul(tf.div(t, period), constant(2 * Math.PI)), phase);
  const E = keplerE(meanAnomaly, eccentricity);
  const halfE = tf.div(E, 2);
  const trueAnomaly = tf.mul(
    2,
    tf.atan2(
      tf.mul(tf.sqrt(tf.add(1, eccentricity)), tf.sin(halfE)),
      tf.mul(tf.sqrt(tf.sub(1, eccentricity)), tf.cos(halfE)),
    ),
  );
  const velocity = tf.add(
    systemicVelocity,
    tf.mul(
      semiAmplitude,
      tf.add(tf.cos(tf.add(omega, trueAnomaly)), tf.mul(eccentricity, tf.cos(omega))),
    ),
  );
  const sd = tf.sqrt(tf.add(tf.square(constant(data.sigma)), tf.square(jitter)));
  yield* plate("epochs", data.t.length, function* () {
    yield* sample("v", Normal(velocity, sd), { obs: data.v });
  });
}

/** Options of the example (the tests run it smaller). */
export interface KeplerOptions {
  numWarmup?: number;
  numSamples?: number;
  print?: (line: string) => void;
}

/** Posterior summaries of the orbit's physical parameters, computed per draw. */
function orbitDraws(samples: ReturnType<MCMC<[RadialVelocities]>["getSamples"]>) {
  const n = samples.period.data.length;
  const angle = (v: Float64Array, i: number) => Math.atan2(v[2 * i + 1], v[2 * i]);
  const wrap = (a: number, center: number) =>
    center + ((((a - center + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
  return {
    period: samples.period.data,
    semiAmplitude: samples.semiAmplitude.data,
    eccentricity: samples.eccentricity.data,
    periastronArgument: Float64Array.from({ length: n }, (_, i) =>
      wrap(angle(samples.omegaVector.data, i), trueOrbit.periastronArgument),
    ),
    phase: Float64Array.from({ length: n }, (_, i) =>
      wrap(angle(samples.phaseVector.data, i), trueOrbit.phase),
    ),
    systemicVelocity: samples.systemicVelocity.data,
    jitter: samples.jitter.data,
  };
}

function interval(values: Float64Array, lower: number, upper: number): [number, number] {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return [at(lower), at(upper)];
}

/**
 * Runs the example and returns what it showed.
 *
 * @example
 * const { coverage } = await runKepler({ numWarmup: 300, numSamples: 300 });
 */
export async function runKepler(options: KeplerOptions = {}) {
  const print = options.print ?? console.log;
  const { numWarmup = 1000, numSamples = 1000 } = options;
  const inputs = [
    [0.3, 1.2, 2.5, 4.0, 5.9],
    [0.1, 0.4, 0.7, 0.2, 0.85],
  ];

  // (1) The derivative rules against central differences.
  const correct = checkGrad(keplerE, inputs);
  const forum = checkGrad(makeKeplerOp("forum"), inputs);
  print("(1) checkGrad");
  print(`  correct rule sin(E)/(1 - e cos E):    ${correct.report}`);
  print(`  forum's rule sin(E)*E/(1 - e cos E):  ${forum.report}\n`);

  // (2) NUTS uses the rule in both engines.
  const data = simulateData(
    42,
    (M, e) => keplerE.definition.forward([Float64Array.of(M), Float64Array.of(e)], [[], []])[0],
  );
  const vjpCalls: Record<string, number> = {};
  for (const engine of ["eager", "compiled"] as const) {
    const before = keplerE.definition.stats.vjpCalls;
    const short = new MCMC(new NUTS(radialVelocityModel, { engine }), {
      numWarmup: 20,
      numSamples: 20,
      progressBar: false,
    });
    await short.run(PRNGKey(1), data);
    vjpCalls[engine] = keplerE.definition.stats.vjpCalls - before;
    print(
      `(2) ${engine} engine: 40 NUTS iterations called the op's VJP ${vjpCalls[engine]} times (engine: ${short.potential.engine})`,
    );
  }

  // (3) The posterior covers the truth.
  print(`\n(3) NUTS: 2 chains x (${numWarmup} warmup + ${numSamples} draws)`);
  const mcmc = new MCMC(new NUTS(radialVelocityModel, { targetAcceptProb: 0.9 }), {
    numWarmup,
    numSamples,
    numChains: 2,
  });
  await mcmc.run(PRNGKey(2), data);
  const draws = orbitDraws(mcmc.getSamples());
  const coverage: Record<string, { interval: [number, number]; truth: number; covered: boolean }> =
    {};
  print(`  ${"parameter".padEnd(20)} ${"truth".padStart(8)}  90% interval`);
  for (const [name, values] of Object.entries(draws)) {
    const truth = trueOrbit[name as keyof typeof trueOrbit];
    const bounds = interval(values, 0.05, 0.95);
    coverage[name] = { interval: bounds, truth, covered: truth >= bounds[0] && truth <= bounds[1] };
    print(
      `  ${name.padEnd(20)} ${truth.toFixed(3).padStart(8)}  [${bounds[0].toFixed(3)}, ${bounds[1].toFixed(3)}]${coverage[name].covered ? "" : "  (missed)"}`,
    );
  }
  print(`  divergences after warmup: ${mcmc.numDivergences}`);
  return { correct, forum, vjpCalls, coverage, mcmc };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runKepler();
