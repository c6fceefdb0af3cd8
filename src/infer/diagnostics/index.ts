/**
 * MCMC diagnostics computed as the R package `posterior` 1.4.0 does (Vehtari et al. 2021).
 */
export type { Chains } from "./chains.js";
export { essBulk, essMean, essOfChains, essQuantile, essTail } from "./ess.js";
export { hpdi } from "./hpdi.js";
export { mcseMean, mcseSd } from "./mcse.js";
export { median, quantile } from "./quantile.js";
export { rankNormalize } from "./rank-normalize.js";
export { rhat, rhatBasic } from "./rhat.js";
export {
  type ChainGroupedDraws,
  type FormatSummaryOptions,
  formatSummary,
  type SummaryRow,
  summary,
  summaryRow,
} from "./summary.js";
