/**
 * The PyMC notebook's HMM with its discrete states enumerated (examples/hmm-enumerated.ts)
 * against the same model with the states summed out by a hand-written forward algorithm
 * (examples/hmm.ts): (1) time per compiled value-and-gradient, against the forward algorithm in
 * tfjs ops (compiled) and as a custom op with a hand-written float64 forward and backward pass,
 * with the states enumerated in a `markov` for-loop and in a `scan` (hmmEnumeratedScan: the
 * body traced once); (2) NUTS on the enumerated models and the forward algorithm, their
 * posterior means side by side and their bulk ESS per second of sampling. Ratios come from one
 * run; run with `npx tsx bench/enum-hmm.ts [numDraws]`.
 *
 * Goals (issue 15): enumerated / hand-written gradient <= 2; NUTS ESS/s within 2x.
 */

import { emissions, hmmModel } from "../examples/hmm.js";
import { hmmEnumerated, hmmEnumeratedScan } from "../examples/hmm-enumerated.js";
import { MCMC, NUTS, PRNGKey, summary } from "../src/index.js";
import { potential } from "../src/infer/index.js";

const console_info = console.info;
console.info = () => {};

const built: Record<string, number> = {};
const timed = <T>(name: string, build: () => T): T => {
  const started = performance.now();
  const out = build();
  built[name] = (performance.now() - started) / 1000;
  return out;
};
const models = {
  enumerated: timed("enumerated", () => potential(hmmEnumerated, [emissions])),
  "enumerated (scan)": timed("enumerated (scan)", () => potential(hmmEnumeratedScan, [emissions])),
  "forward (tfjs ops)": potential(hmmModel, [emissions, "tfjs"]),
  "forward (hand-written op)": potential(hmmModel, [emissions, "op"]),
};
const q = models.enumerated.initialPoint(3);
const grad = new Float64Array(q.length);
console.log("value and gradient at one point (the same density three ways):");
const best: Record<string, number> = {};
for (const [name, U] of Object.entries(models)) {
  const value = U.valueAndGrad(q, grad);
  console.log(
    `  ${name.padEnd(26)} U = ${value.toFixed(8)}  dU/dq0 = ${grad[0].toFixed(8)}  engine ${U.engine}${name in built ? `  built in ${built[name].toFixed(2)} s` : ""}`,
  );
  best[name] = Number.POSITIVE_INFINITY;
}
// Interleaved repetitions; the best of each is the least disturbed by other load.
for (let round = 0; round < 20; round++) {
  for (const [name, U] of Object.entries(models)) {
    const started = performance.now();
    for (let i = 0; i < 25; i++) U.valueAndGrad(q, grad);
    best[name] = Math.min(best[name], (performance.now() - started) / 25);
  }
}
console.log("\ntime per value-and-gradient (best of 20 x 25 calls):");
for (const [name, ms] of Object.entries(best)) {
  const ratio = best.enumerated / ms;
  const scanRatio = best["enumerated (scan)"] / ms;
  console.log(
    `  ${name.padEnd(26)} ${ms.toFixed(3)} ms   enumerated / this = ${ratio.toFixed(2)}   scan / this = ${scanRatio.toFixed(2)}`,
  );
}

const draws = Number(process.argv[2] ?? 500);
console.log(`\nNUTS, 2 chains x (${draws} warmup + ${draws} draws), sequential:`);
const runs: Record<
  string,
  {
    means: Record<string, number[]>;
    essPerSecond: number;
    ess: number;
    seconds: number;
    sd: Record<string, number[]>;
  }
> = {};
for (const [name, model, args] of [
  ["enumerated", hmmEnumerated, [emissions]],
  ["enumerated (scan)", hmmEnumeratedScan, [emissions]],
  ["forward (tfjs ops)", hmmModel, [emissions, "tfjs"]],
] as const) {
  const mcmc = new MCMC(new NUTS(model as typeof hmmEnumerated), {
    numWarmup: draws,
    numSamples: draws,
    numChains: 2,
    progressBar: false,
  });
  await mcmc.run(PRNGKey(1), ...(args as [number[][]]));
  const rows = summary(mcmc.getSamples({ groupByChain: true }));
  const seconds = mcmc.timings.samplingSeconds.reduce((a, b) => a + b, 0);
  const ess = Math.min(...Object.values(rows).map((r) => r.essBulk));
  const means: Record<string, number[]> = {};
  const sd: Record<string, number[]> = {};
  for (const [key, row] of Object.entries(rows)) {
    means[key] = [row.mean, row.sd / Math.sqrt(row.essBulk)];
    sd[key] = [row.sd];
  }
  runs[name] = { means, essPerSecond: ess / seconds, ess, seconds, sd };
  console.log(
    `  ${name.padEnd(20)} sampling ${seconds.toFixed(1)} s, min bulk ESS ${ess.toFixed(0)}, ESS/s ${(ess / seconds).toFixed(1)}, divergences ${mcmc.numDivergences}, leapfrog steps per draw ${(mcmc.getExtraFields().numSteps.data.reduce((a, b) => a + b, 0) / (2 * draws)).toFixed(1)}`,
  );
}
const b = runs["forward (tfjs ops)"];
for (const name of ["enumerated", "enumerated (scan)"]) {
  const a = runs[name];
  console.log(`\nposterior means (${name} vs forward), difference in combined MCSE:`);
  let worst = 0;
  for (const key of Object.keys(a.means)) {
    const [ma, sa] = a.means[key];
    const [mb, sb] = b.means[key];
    const z = (ma - mb) / Math.sqrt(sa * sa + sb * sb);
    worst = Math.max(worst, Math.abs(z));
    console.log(`  ${key.padEnd(18)} ${ma.toFixed(4)}  ${mb.toFixed(4)}  z = ${z.toFixed(2)}`);
  }
  console.log(`worst |z| = ${worst.toFixed(2)}`);
  console.log(
    `ESS/s ${name} / forward = ${(a.essPerSecond / b.essPerSecond).toFixed(2)} (goal: >= 0.5)`,
  );
}
console.info = console_info;
