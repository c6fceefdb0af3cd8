/**
 * Pathfinder's multi-path importance resampling on the non-centred eight schools against its
 * posteriordb reference (validation/compare.ts), for several seeds. The resampled draws are
 * split into 4 pseudo-chains for the rule; the gate's ESS is replaced by the importance ESS
 * (resampled draws repeat, so their autocorrelation-based ESS overstates them).
 *
 * Informational (the exit status is 0 unless the script crashes): issue 18 asked for the rule
 * to pass here, and it does not. The joint mode of (mu, log tau, eta) lies at tau near 29, far
 * from the posterior's bulk (even the Laplace approximation at the mode has an ELBO of about
 * -56, against -33 for the best Pathfinder iterates and for the moment-matched normal), so
 * Pathfinder's mode-seeking normal approximations are too narrow in mu for importance weights
 * to correct. Every L-BFGS path from a uniform(-2, 2) start runs to that mode along mu from
 * about 0 to 1.4 (log tau to 3.4), so every approximation on it is centred below mu's posterior
 * bulk (mean 4.4, sd 3.3); in 7 of 16 paths (seeds 0-3) the ELBO prefers the first iterate, a
 * unit covariance near the start.
 * More paths do not help (16 paths: 0 of 4 seeds pass, mu's worst |z| 18 to 26). Checked against
 * Stan's multi-path Pathfinder (services/pathfinder/multi.hpp) and the paper: weights
 * log p - log q per pooled draw, PSIS with Stan's tail length min(S / 5, 3 sqrt(S)), resampling
 * with replacement as Stan does, 4 paths of 1000 draws, 25 ELBO draws, uniform(-2, 2) starts
 * (history 6, the paper's, against Stan's 5); no discrepancy explains the failure.
 * The report shows, per seed, whether the Pareto k flags the failure (k > 0.7, the warning of
 * `pathfinder`; 7 of 8 seeds); with k between 0.5 and 0.7 a failure goes unflagged (seed 0,
 * k 0.66): PSIS sees only the weights of draws q makes, and q makes few where mu > 4.
 *
 *   npx tsx validation/pathfinder.ts
 */

import type { Draws } from "../src/index.js";
import { pathfinder } from "../src/index.js";
import { stackDraws } from "../src/infer/draws.js";
import { compareToReference } from "./compare.js";
import { eightSchoolsNoncentered as schools } from "./models/eight-schools-noncentered.js";
import { loadReference, scalarChains } from "./posteriordb.js";

const data = schools.loadData();
const reference = loadReference(schools.posterior).parameters;
let silentFailures = 0;
const warn = console.warn;
console.warn = () => {};
for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) {
  const fit = pathfinder(schools.model, [data], { key: seed });
  // Four pseudo-chains of 250 resampled draws (the draws are in random order).
  const grouped = stackDraws(4, (c) =>
    Object.fromEntries(
      Object.entries(fit.samples).map(([name, d]): [string, Draws] => {
        const size = d.data.length / fit.numDraws;
        return [
          name,
          {
            shape: [250, ...d.shape.slice(1)],
            data: d.data.slice(c * 250 * size, (c + 1) * 250 * size),
          },
        ];
      }),
    ),
  );
  const comparison = compareToReference(scalarChains(grouped, schools.scalars), reference, {
    minEssBulk: 0,
  });
  const passed = comparison.passed && fit.importanceEss >= 400;
  const flagged = fit.paretoK > 0.7;
  if (!passed && !flagged) silentFailures++;
  console.log(
    `seed ${seed}: Pareto k ${fit.paretoK.toFixed(2)}, importance ESS ${fit.importanceEss.toFixed(0)}, ` +
      `${fit.numEvaluations} evaluations; rule ${passed ? "passes" : `fails (worst ${comparison.worst.name} ${comparison.worst.statistic} z ${comparison.worst.z.toFixed(1)})`}` +
      `${flagged ? "; flagged by k > 0.7" : ""}`,
  );
}
console.warn = warn;
console.log(
  `\nInformational: ${silentFailures} of 8 runs fail the rule without a Pareto k above 0.7 (see the file comment).`,
);
