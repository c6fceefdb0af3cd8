/**
 * What NUTS costs per leapfrog step besides the gradient, on a 10-dimensional standard normal,
 * against the gradient's own cost, measured in one run. Not part of the tests; run with
 * `npx tsx bench/overhead.ts`. Goal (issue 17): at most 1 us per leapfrog step apart from
 * the gradient.
 *
 * Two targets: the model's compiled potential (x ~ Normal(0, 1) in a plate of 10, as MCMC
 * runs it) and a hand-written one (U = |q|^2 / 2, dU/dq = q). For each:
 * - the gradient's cost: valueAndGrad in a loop over points drawn from the posterior;
 * - a sampling leapfrog step's cost, all per-iteration work included (momentum draw, tree
 *   building, statistics, progress), less the gradient's, and that overhead as a multiple of
 *   it: two runs with the same key and warmup, one with more draws, differenced;
 * - for the compiled target, the same through MCMC.run (one chain in this thread, with its
 *   progress callback), which adds the driver's per-iteration work.
 * Times are CPU time of this process (user + system), which the other jobs on a shared
 * machine disturb less than wall time; the load average is printed with them.
 */
import { initToUniform, MCMC, Normal, NUTS, PRNGKey, plate, sample } from "../src/index.js";
import { potential } from "../src/infer/index.js";
import { runChainSync } from "../src/infer/nuts/index.js";
import type { GradientTarget } from "../src/potential-types.js";

const DIM = 10;
const NUM_WARMUP = 1000;
const NUM_SAMPLES = 40_000;

function* standardNormal() {
  yield* plate("d", DIM, function* () {
    yield* sample("x", Normal(0, 1));
  });
}

const handWritten: GradientTarget = {
  dim: DIM,
  valueAndGrad(q, grad) {
    let sum = 0;
    for (let i = 0; i < DIM; i++) {
      sum += q[i] * q[i];
      grad[i] = q[i];
    }
    return sum / 2;
  },
};

/** CPU seconds per valueAndGrad call, over 1000 points drawn from N(0, I) (deterministically). */
function gradientSeconds(target: GradientTarget): number {
  const points: Float64Array[] = [];
  let s = 12345;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let p = 0; p < 1000; p++) {
    const q = new Float64Array(DIM);
    for (let i = 0; i < DIM; i++) {
      q[i] = Math.sqrt(-2 * Math.log(next() + 1e-300)) * Math.cos(2 * Math.PI * next());
    }
    points.push(q);
  }
  const grad = new Float64Array(DIM);
  let sink = 0;
  const time = (calls: number) => {
    const start = process.cpuUsage();
    for (let c = 0; c < calls; c++) sink += target.valueAndGrad(points[c % 1000], grad);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6 / calls;
  };
  time(200_000); // warm up the JIT
  const best = Math.min(time(1_000_000), time(1_000_000), time(1_000_000));
  if (sink === 42) console.log(""); // keep the calls alive
  return best;
}

function sumSteps(numSteps: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < numSteps.length; i++) total += numSteps[i];
  return total;
}

/** CPU seconds (user + system) of this process while `f` runs, and what it returned. */
function cpuTimed<T>(f: () => T): { seconds: number; value: T } {
  const start = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, value };
}

async function cpuTimedAsync<T>(f: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.cpuUsage();
  const value = await f();
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, value };
}

/** Seconds per leapfrog step of sampling, and steps per draw. */
interface Sampling {
  readonly perStep: number;
  readonly stepsPerDraw: number;
}

/**
 * Two runs with the same key and warmup, one with NUM_SAMPLES more draws: the difference in
 * CPU time over the difference in leapfrog steps is the cost of a sampling step, free of
 * set-up, warmup and start-up (which are the same in both).
 */
async function differenced(
  run: (numSamples: number) => Promise<{ seconds: number; steps: number }>,
): Promise<Sampling> {
  const short = await run(1000);
  const long = await run(1000 + NUM_SAMPLES);
  const steps = long.steps - short.steps;
  return { perStep: (long.seconds - short.seconds) / steps, stepsPerDraw: steps / NUM_SAMPLES };
}

function chainSampling(target: GradientTarget, seed: number): Promise<Sampling> {
  return differenced(async (numSamples) => {
    const { seconds, value } = cpuTimed(() =>
      runChainSync(
        target,
        { numWarmup: NUM_WARMUP, numSamples, initStrategy: "uniform" },
        PRNGKey(seed),
      ),
    );
    return { seconds, steps: sumSteps(value.stats.numSteps) };
  });
}

function mcmcSampling(seed: number): Promise<Sampling> {
  return differenced(async (numSamples) => {
    const mcmc = new MCMC(new NUTS(standardNormal, { initStrategy: initToUniform() }), {
      numWarmup: NUM_WARMUP,
      numSamples,
      numChains: 1,
      progressBar: false,
      onProgress: () => {},
    });
    const { seconds } = await cpuTimedAsync(() => mcmc.run(PRNGKey(seed)));
    return { seconds, steps: sumSteps(mcmc.getExtraFields().numSteps.data) };
  });
}

const us = (seconds: number) => `${(seconds * 1e6).toFixed(3)} us`;

function report(name: string, gradient: number, runs: Sampling[]): void {
  const sorted = runs.map((r) => r.perStep).sort((a, b) => a - b);
  const perStep = sorted[Math.floor(sorted.length / 2)];
  const overhead = perStep - gradient;
  console.log(`\n${name}`);
  console.log(`  gradient (valueAndGrad)                    ${us(gradient)}`);
  console.log(
    `  per leapfrog step of sampling               ${us(perStep)}  (${runs[0].stepsPerDraw.toFixed(2)} steps per draw)`,
  );
  console.log(
    `  per step apart from the gradient            ${us(overhead)}  = ${(overhead / gradient).toFixed(2)} x the gradient`,
  );
}

const compiled = potential(standardNormal, []);
const repeats = 3;
// Compile the hot code first: the first runs would otherwise pay for the JIT.
await chainSampling(handWritten, 99);
await chainSampling(compiled, 99);
const handGradient = gradientSeconds(handWritten);
const compiledGradient = gradientSeconds(compiled);
const handRuns: Sampling[] = [];
const compiledRuns: Sampling[] = [];
const mcmcRuns: Sampling[] = [];
for (let r = 0; r < repeats; r++) {
  handRuns.push(await chainSampling(handWritten, r));
  compiledRuns.push(await chainSampling(compiled, r));
  mcmcRuns.push(await mcmcSampling(r));
}
const { loadavg, cpus } = await import("node:os");
console.log(
  `NUTS cost per leapfrog step on a ${DIM}-dim standard normal: CPU time, median of ${repeats}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
);
report("hand-written target (runChainSync)", handGradient, handRuns);
report(`compiled potential (runChainSync)`, compiledGradient, compiledRuns);
report("compiled potential (MCMC.run, 1 chain, progress callback)", compiledGradient, mcmcRuns);
