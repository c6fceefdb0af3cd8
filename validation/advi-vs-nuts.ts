/**
 * ADVI against NUTS references, at full length (the tests run shorter versions):
 * - eight schools, non-centred, against posteriordb's reference posterior (10 chains of Stan);
 * - Bayesian logistic regression on tests/oracles/data/logistic_5000x20.json against Stan's NUTS
 *   summary in tests/oracles/stan/logistic_regression.json.
 *
 * For each model and method (mean-field, full-rank) it prints, per parameter, the z-score of
 * ADVI's mean against the reference ((mean_advi - mean_nuts) / sd_nuts) and the ratio of
 * sds, and checks the criterion: means within 0.2 posterior sd (logistic coefficients; eight
 * schools' mu and theta). It also runs the paper's step-size sequence with Stan's eta search
 * for comparison. Exit code 1 when a criterion fails.
 *
 *     npx tsx validation/advi-vs-nuts.ts [--steps 10000] [--quick]
 */
import { readFileSync } from "node:fs";
import {
  Bernoulli,
  constant,
  deterministic,
  HalfCauchy,
  Normal,
  PRNGKey,
  plate,
  sample,
  tf,
} from "../src/index.js";
import { type ADVIApproximation, type ADVIOptions, advi } from "../src/infer/advi/index.js";
import { predictiveFromGuide } from "../src/infer/svi/index.js";

const oracle = (path: string) =>
  JSON.parse(readFileSync(new URL(`../tests/oracles/${path}`, import.meta.url), "utf8"));
const argValue = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes("--quick");
const steps = argValue("--steps", quick ? 2000 : 10000);

function* eightSchools(sigma: number[], y: number[]) {
  const mu = yield* sample("mu", Normal(0, 5));
  const tau = yield* sample("tau", HalfCauchy(5));
  yield* plate("school", sigma.length, function* () {
    const eta = yield* sample("eta", Normal(0, 1));
    const theta = yield* deterministic("theta", tf.add(mu, tf.mul(tau, eta)));
    yield* sample("y", Normal(theta, sigma), { obs: y });
  });
}

// beta is [D] alone or [P, 1, D] under particle batching; X beta fills the data plate's dim.
function* logisticRegression(XT: tf.Tensor, y: tf.Tensor) {
  const [D, N] = XT.shape;
  const alpha = yield* sample("alpha", Normal(0, 1));
  const beta = yield* sample("beta", Normal(0, 1).expand([D]).toEvent(1));
  const lead = beta.shape.slice(0, -2);
  const xBeta = tf.reshape(tf.matMul(tf.reshape(beta, [-1, D]), XT), [...lead, N]);
  yield* plate("data", N, function* () {
    yield* sample("y", Bernoulli({ logits: tf.add(alpha, xBeta) }), { obs: y });
  });
}

interface Row {
  name: string;
  z: number;
  sdRatio: number;
  checked: boolean;
}

function columnStats(data: Float64Array, n: number, width: number, j: number) {
  let s = 0;
  let s2 = 0;
  for (let r = 0; r < n; r++) {
    const v = data[r * width + j];
    s += v;
    s2 += v * v;
  }
  const m = s / n;
  return { mean: m, sd: Math.sqrt((s2 - n * m * m) / (n - 1)) };
}

function report(title: string, approx: ADVIApproximation, rows: Row[], seconds: number): boolean {
  const checked = rows.filter((r) => r.checked);
  const worst = Math.max(...checked.map((r) => Math.abs(r.z)));
  const meanRatio = rows.reduce((a, r) => a + r.sdRatio, 0) / rows.length;
  const ok = worst < 0.2;
  console.log(
    `\n${title}: ${approx.numSteps} steps${approx.converged ? " (converged)" : ""}, ${seconds.toFixed(1)} s, ` +
      `${((1000 * seconds) / approx.numSteps).toFixed(2)} ms/step${approx.eta === undefined ? "" : `, eta ${approx.eta}`}`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(9)} z ${r.z.toFixed(3).padStart(7)}   sd ratio ${r.sdRatio.toFixed(3)}${r.checked ? "" : "   (not in the criterion)"}`,
    );
  }
  console.log(
    `  worst |z| over the checked parameters ${worst.toFixed(3)} (${ok ? "PASS" : "FAIL"} < 0.2); mean sd ratio ${meanRatio.toFixed(3)}`,
  );
  return ok;
}

function eightSchoolsRun(method: "meanfield" | "fullrank", options: ADVIOptions, label: string) {
  const data = oracle("posteriordb/eight_schools-eight_schools_noncentered/data.json");
  const ref = oracle(
    "posteriordb/eight_schools-eight_schools_noncentered/reference.json",
  ).parameters;
  const t0 = performance.now();
  const approx = advi(eightSchools, [data.sigma, data.y], {
    method,
    maxSteps: steps,
    key: 7,
    ...options,
  });
  const seconds = (performance.now() - t0) / 1000;
  const n = 10000;
  const theta = predictiveFromGuide(eightSchools, approx.guide, {
    params: approx.params,
    numSamples: n,
    returnSites: ["theta"],
  }).run(PRNGKey(8), data.sigma, data.y).theta;
  const rows: Row[] = [
    { name: "mu", ...compare(approx.mean.mu.data[0], approx.sd.mu.data[0], ref.mu), checked: true },
    {
      name: "tau",
      ...compare(approx.mean.tau.data[0], approx.sd.tau.data[0], ref.tau),
      checked: false,
    },
  ];
  for (let j = 0; j < 8; j++) {
    const s = columnStats(theta.data, n, 8, j);
    rows.push({
      name: `theta[${j + 1}]`,
      ...compare(s.mean, s.sd, ref[`theta[${j + 1}]`]),
      checked: true,
    });
  }
  return report(`eight schools, ${method}, ${label}`, approx, rows, seconds);
}

function logisticRun(method: "meanfield" | "fullrank", options: ADVIOptions, label: string) {
  const data = oracle("data/logistic_5000x20.json");
  const ref: Record<string, { mean: number; sd: number }> = {};
  for (const row of oracle("stan/logistic_regression.json").summary) ref[row.variable] = row;
  const XT = tf.transpose(constant(data.X));
  const y = constant(data.y);
  const t0 = performance.now();
  const approx = advi(logisticRegression, [XT, y], {
    method,
    maxSteps: steps,
    key: 1,
    initLoc: { alpha: 0, beta: new Array(data.D).fill(0) },
    ...options,
  });
  const seconds = (performance.now() - t0) / 1000;
  const rows: Row[] = [
    {
      name: "alpha",
      ...compare(approx.mean.alpha.data[0], approx.sd.alpha.data[0], ref.alpha),
      checked: true,
    },
  ];
  for (let i = 0; i < data.D; i++) {
    const name = `beta[${i + 1}]`;
    rows.push({
      name,
      ...compare(approx.mean.beta.data[i], approx.sd.beta.data[i], ref[name]),
      checked: true,
    });
  }
  return report(`logistic regression 5000x20, ${method}, ${label}`, approx, rows, seconds);
}

function compare(mean: number, sd: number, ref: { mean: number; sd: number }) {
  return { z: (mean - ref.mean) / ref.sd, sdRatio: sd / ref.sd };
}

const results: boolean[] = [];
const defaults = "annealed Adam (default)";
for (const method of ["meanfield", "fullrank"] as const) {
  results.push(eightSchoolsRun(method, {}, defaults));
  results.push(logisticRun(method, {}, defaults));
}
// The paper's step-size sequence with Stan's eta search, for comparison (not in the verdict).
eightSchoolsRun(
  "meanfield",
  { eta: "adapt" },
  "paper's step sequence, eta adapted (not in the verdict)",
);
logisticRun(
  "meanfield",
  { eta: "adapt" },
  "paper's step sequence, eta adapted (not in the verdict)",
);

const ok = results.every(Boolean);
console.log(`\n${ok ? "All criteria hold." : "Some criterion failed."}`);
process.exit(ok ? 0 : 1);
