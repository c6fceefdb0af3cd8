/**
 * Live progress displays for MCMC (a line per chain) and SVI (one line), silent off a
 * terminal and under CI.
 *
 * @example
 * import { mcmcProgress } from "tyche";
 * const bar = mcmcProgress({ chains: 2, total: 2000 });
 */
export {
  type ChainLineContext,
  type ChainProgress,
  formatChainLine,
  formatSviLine,
  type SviLineState,
} from "./format.js";
export { type McmcProgress, type McmcProgressOptions, mcmcProgress } from "./mcmc-progress.js";
export { type SviProgress, type SviProgressOptions, sviProgress } from "./svi-progress.js";
export { type DisplayOptions, shouldDisplay } from "./terminal-lines.js";
