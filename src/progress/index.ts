/**
 * Live progress displays for MCMC (a line per chain) and SVI (one line), silent off a
 * terminal and under CI.
 *
 * @example
 * import { mcmcProgressBar } from "tyche/infer";
 * const bar = mcmcProgressBar({ chains: 2, total: 2000 });
 */
export {
  type ChainLineContext,
  type ChainProgressUpdate,
  formatChainLine,
  formatSviLine,
  type SviLineState,
} from "./format.js";
export {
  type McmcProgressBar,
  type McmcProgressBarOptions,
  mcmcProgressBar,
} from "./mcmc-progress.js";
export { type SviProgressBar, type SviProgressBarOptions, sviProgressBar } from "./svi-progress.js";
export { type DisplayOptions, shouldDisplay, type TextStream } from "./terminal-lines.js";
