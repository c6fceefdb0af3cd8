/**
 * SVI/ADVI speed on the logistic regression 5000x20 (../shared/data/logistic_5000x20.json):
 * steps per second of mean-field ADVI's update (one-particle TraceELBO, AutoDiagonalNormal,
 * Adam) and time to convergence of `advi` (parameter check every 100 steps, absolute
 * tolerance 0.01), per loss engine, with the ratio to the eager engine measured in the same
 * process.
 *
 * The compiled engine (`compiledLossEngine`, the default) traces the loss once with the noise as
 * an input; the eager engine differentiates it with tfjs at every step.
 *
 *     npx tsx bench/svi.ts [--steps 300]
 */
import { PRNGKey } from "../src/index.js";
import { advi } from "../src/infer/advi/index.js";
import {
  Adam,
  AutoDiagonalNormal,
  compiledLossEngine,
  eagerLossEngine,
  type LossEngine,
  SVI,
  TraceELBO,
} from "../src/infer/svi/index.js";
import { logisticData, logisticRegression } from "../tests/infer/advi/models.js";

const { XT, y } = logisticData();

const engines: Record<string, LossEngine | undefined> = {
  eager: eagerLossEngine,
  compiled: compiledLossEngine,
};

const i = process.argv.indexOf("--steps");
const timedSteps = i >= 0 ? Number(process.argv[i + 1]) : 300;

interface Measurement {
  stepsPerSecond: number;
  convergenceSeconds: number;
  convergenceSteps: number;
  converged: boolean;
}

function measure(engine: LossEngine): Measurement {
  const svi = new SVI(
    logisticRegression,
    AutoDiagonalNormal(logisticRegression),
    Adam(0.01),
    TraceELBO(),
    {
      engine,
    },
  );
  let state = svi.init(PRNGKey(0), XT, y);
  for (let s = 0; s < 20; s++) state = svi.update(state, XT, y).state; // warm-up
  const t0 = performance.now();
  for (let s = 0; s < timedSteps; s++) state = svi.update(state, XT, y).state;
  const stepsPerSecond = timedSteps / ((performance.now() - t0) / 1000);

  const t1 = performance.now();
  const approx = advi(logisticRegression, [XT, y], {
    maxSteps: 5000,
    key: 1,
    engine,
    initLoc: { alpha: 0, beta: new Array(XT.shape[0]).fill(0) },
    convergence: { every: 100, tolerance: 0, absoluteTolerance: 0.01 },
  });
  return {
    stepsPerSecond,
    convergenceSeconds: (performance.now() - t1) / 1000,
    convergenceSteps: approx.numSteps,
    converged: approx.converged,
  };
}

const results: Record<string, Measurement> = {};
for (const [name, engine] of Object.entries(engines)) {
  if (engine === undefined) {
    console.log(`${name}: not available on this branch (plug it in at the marked line)`);
    continue;
  }
  results[name] = measure(engine);
  const r = results[name];
  console.log(
    `${name}: ${r.stepsPerSecond.toFixed(1)} steps/s (${(1000 / r.stepsPerSecond).toFixed(2)} ms/step over ${timedSteps} steps); ` +
      `advi ${r.converged ? "converged" : "stopped at maxSteps"} after ${r.convergenceSteps} steps in ${r.convergenceSeconds.toFixed(1)} s`,
  );
}
const eager = results.eager;
for (const [name, r] of Object.entries(results)) {
  if (name === "eager") continue;
  console.log(
    `${name} / eager: steps/s x${(r.stepsPerSecond / eager.stepsPerSecond).toFixed(2)}, ` +
      `time to convergence x${(eager.convergenceSeconds / r.convergenceSeconds).toFixed(2)} faster`,
  );
}
