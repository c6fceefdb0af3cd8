/**
 * Metric adaptations above the "auto" threshold (issue 18): the non-centred stochastic
 * volatility model (T + 2 dimensions), 2 chains x (1000 + 1000), with each adaptation; per
 * adaptation the warmup and sampling seconds, the sampling gradients, sigma's bulk ESS, and ESS
 * per 1,000 sampling gradients and per second of the whole run, as ratios to Stan's windowed
 * adaptation measured in the same run. This is where the default's 100-dimension threshold
 * comes from (docs/guide.md, "Metric adaptation").
 *
 *   npx tsx bench/adaptation-dim.ts [T = 200] [adaptations = windowed fisher-diag low-rank]
 */
import { MCMC, NUTS, PRNGKey } from "../src/index.js";
import { essBulk } from "../src/infer/diagnostics/index.js";
import type { Adaptation } from "../src/infer/nuts/index.js";
import {
  simulatedReturns,
  stochasticVolatilityNoncentred,
} from "../validation/models/stochastic-volatility.js";

const T = Number(process.argv[2] ?? 200);
const asked = process.argv.slice(3) as Adaptation[];
const adaptations: Adaptation[] =
  asked.length > 0 ? asked : ["windowed", "fisher-diag", "low-rank"];
const returns = simulatedReturns(T);
const numChains = 2;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

interface Row {
  adaptation: Adaptation;
  warmup: number;
  sampling: number;
  gradients: number;
  ess: number;
}
const rows: Row[] = [];
for (const adaptation of adaptations) {
  const mcmc = new MCMC(new NUTS(stochasticVolatilityNoncentred, { adaptation }), {
    numWarmup: 1000,
    numSamples: 1000,
    numChains,
    progressBar: false,
  });
  await mcmc.run(PRNGKey(7), returns);
  const sigma = mcmc.getSamples({ groupByChain: true }).sigma;
  const n = sigma.shape[1];
  const chains = Array.from({ length: numChains }, (_, c) =>
    Float64Array.from(sigma.data.slice(c * n, (c + 1) * n)),
  );
  rows.push({
    adaptation,
    warmup: sum(mcmc.timings.warmupSeconds),
    sampling: sum(mcmc.timings.samplingSeconds),
    gradients: sum(Array.from(mcmc.getExtraFields().numSteps.data)),
    ess: essBulk(chains),
  });
}
const base = rows.find((r) => r.adaptation === "windowed") ?? rows[0];
const perGradient = (r: Row) => (1000 * r.ess) / r.gradients;
const perSecond = (r: Row) => r.ess / (r.warmup + r.sampling);
console.log(
  `stochastic volatility, non-centred, T = ${T} (${T + 2} dimensions); ratios to ${base.adaptation}`,
);
console.log(
  "adaptation   | warmup s | sampling s | sampling grads | sigma ESS | ESS/1k grads (ratio) | ESS/s (ratio)",
);
for (const r of rows) {
  console.log(
    `${r.adaptation.padEnd(12)} | ${r.warmup.toFixed(1).padStart(8)} | ${r.sampling.toFixed(1).padStart(10)} | ${String(r.gradients).padStart(14)} | ${r.ess.toFixed(0).padStart(9)} | ${perGradient(r).toFixed(2)} (${(perGradient(r) / perGradient(base)).toFixed(2)}x) | ${perSecond(r).toFixed(2)} (${(perSecond(r) / perSecond(base)).toFixed(2)}x)`,
  );
}
