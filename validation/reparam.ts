/**
 * Reparameterization at full size (issue 14):
 *
 * 1. The centred eight schools under `reparam` with `LocScaleReparam(0)`: at most 5 divergent
 *    transitions in 4 chains x 1000 draws, and posteriordb's reference passes the comparison
 *    rule of compare.ts (its gate's no-divergence clause replaced by "at most 5").
 * 2. Stochastic volatility with T = 500 and the walk non-centred: sigma's R-hat below 1.01 in
 *    4 chains x 2000 draws. The centred model is run too, for contrast (reported only).
 *
 *     npx tsx validation/reparam.ts
 */
import { LocScaleReparam, MCMC, NUTS, PRNGKey, reparam } from "../src/index.js";
import { compareToReference } from "./compare.js";
import { eightSchoolsCentered } from "./models/eight-schools-centered.js";
import {
  simulatedReturns,
  stochasticVolatility,
  stochasticVolatilityNoncentred,
} from "./models/stochastic-volatility.js";
import { loadReference, scalarChains } from "./posteriordb.js";

let failed = 0;
function verdict(ok: boolean, what: string): void {
  if (!ok) failed++;
  console.log(`${ok ? "pass" : "FAIL"}  ${what}`);
}

{
  const model = reparam(eightSchoolsCentered.model, { config: { theta: LocScaleReparam(0) } });
  const mcmc = new MCMC(new NUTS(model), {
    numWarmup: 1000,
    numSamples: 1000,
    numChains: 4,
    progressBar: false,
  });
  await mcmc.run(PRNGKey(2014), eightSchoolsCentered.loadData());
  const comparison = compareToReference(
    scalarChains(mcmc.getSamples({ groupByChain: true }), eightSchoolsCentered.scalars),
    loadReference(eightSchoolsCentered.posterior).parameters,
    { numDivergences: 0 },
  );
  console.log(
    `eight schools centred + LocScaleReparam(0): ${mcmc.numDivergences} divergences, max R-hat ${comparison.maxRhat.toFixed(4)}, min bulk ESS ${comparison.minEssBulk.toFixed(0)}, worst |z| ${Math.abs(comparison.worst.z).toFixed(2)} (${comparison.worst.name} ${comparison.worst.statistic})`,
  );
  verdict(mcmc.numDivergences <= 5, "eight schools: at most 5 divergences");
  verdict(
    comparison.gateFailures.length === 0 && comparison.zFailures.length === 0,
    `eight schools: posteriordb's reference ${[...comparison.gateFailures, ...comparison.zFailures].join("; ")}`,
  );
}

const returns = simulatedReturns(500);
for (const [name, model, check] of [
  ["non-centred", stochasticVolatilityNoncentred, true],
  ["centred (contrast)", stochasticVolatility, false],
] as const) {
  const mcmc = new MCMC(new NUTS(model), {
    numWarmup: 2000,
    numSamples: 2000,
    numChains: 4,
    progressBar: false,
  });
  const started = performance.now();
  await mcmc.run(PRNGKey(500), returns);
  const row = mcmc.summary().sigma;
  console.log(
    `stochastic volatility T = 500, ${name}: sigma mean ${row.mean.toFixed(4)}, R-hat ${row.rhat.toFixed(4)}, bulk ESS ${row.essBulk.toFixed(0)}, ${mcmc.numDivergences} divergences, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (check) verdict(row.rhat < 1.01, "stochastic volatility: sigma R-hat < 1.01");
}
process.exit(failed === 0 ? 0 : 1);
