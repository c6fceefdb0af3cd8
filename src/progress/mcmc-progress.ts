/**
 * Progress of an MCMC run, one line per chain: iterations done, phase (warmup or sampling),
 * current step size, numDivergences so far and the estimated time left. Built for the driver to
 * call on every iteration: an update stores four numbers and, unless a redraw is due, returns.
 */
import { ArgumentError } from "../errors.js";
import { type ChainProgressUpdate, formatChainLine } from "./format.js";
import { type DisplayOptions, shouldDisplay, terminalLines } from "./terminal-lines.js";

/** Options of `mcmcProgressBar`. */
export interface McmcProgressBarOptions extends DisplayOptions {
  /** Number of chains (one line each). */
  chains: number;
  /** Iterations per chain, warmup included. */
  total: number;
  /** Printed once above the lines, e.g. "NUTS eight_schools". */
  title?: string;
}

/** A live MCMC progress display. */
export interface McmcProgressBar {
  /** Whether anything is displayed (false when silenced). */
  readonly enabled: boolean;
  /** Reports a chain's progress (0-based `chain`); cheap enough to call every iteration. */
  update(chain: number, progress: ChainProgressUpdate): void;
  /** Draws the final state and releases the terminal; call it in a `finally`. */
  stop(): void;
}

const api = "mcmcProgressBar";

/**
 * A progress display for `chains` chains of `total` iterations each. Silent unless the stream
 * is a terminal and `CI` is unset, or when `enabled: false`.
 *
 * @example
 * const bar = mcmcProgressBar({ chains: 4, total: 2000, title: "NUTS" });
 * try {
 *   bar.update(0, { iteration: 1, phase: "warmup", stepSize: 0.5, numDivergences: 0 });
 * } finally {
 *   bar.stop();
 * }
 * // With the MCMC driver: new MCMC(kernel, { ..., onProgress: (p) => bar.update(p.chain, p) })
 */
export function mcmcProgressBar(options: McmcProgressBarOptions): McmcProgressBar {
  const { chains, total } = options;
  if (!Number.isInteger(chains) || chains < 1) {
    throw new ArgumentError({
      api,
      argument: "chains",
      message: `${api}: chains must be a positive integer, got ${chains}`,
    });
  }
  if (!Number.isInteger(total) || total < 0) {
    throw new ArgumentError({
      api,
      argument: "total",
      message: `${api}: total must be a non-negative integer, got ${total}`,
    });
  }
  if (!shouldDisplay(options)) {
    return { enabled: false, update() {}, stop() {} };
  }
  const now = options.now ?? (() => performance.now());
  const states: ChainProgressUpdate[] = Array.from({ length: chains }, () => ({
    iteration: 0,
    phase: "warmup",
  }));
  const started = new Float64Array(chains).fill(Number.NaN);
  const finished = new Float64Array(chains).fill(Number.NaN);
  const chainDigits = String(chains).length;
  const stream = options.stream ?? process.stdout;
  if (options.title) stream.write(`${options.title}\n`);
  const lines = terminalLines(
    chains,
    (chain) => {
      const start = started[chain];
      const end = Number.isNaN(finished[chain]) ? now() : finished[chain];
      const elapsedSeconds = Number.isNaN(start) ? 0 : (end - start) / 1000;
      return formatChainLine(states[chain], { chain, total, elapsedSeconds, chainDigits });
    },
    { ...options, now },
  );
  return {
    enabled: true,
    update(chain, progress) {
      const state = states[chain];
      if (state === undefined) {
        throw new ArgumentError({
          api: "McmcProgressBar.update",
          argument: "chain",
          message: `McmcProgressBar.update: chain must be an integer in [0, ${chains - 1}], got ${chain}`,
        });
      }
      if (Number.isNaN(started[chain])) started[chain] = now();
      state.iteration = progress.iteration;
      state.phase = progress.phase;
      state.stepSize = progress.stepSize;
      state.numDivergences = progress.numDivergences;
      if (progress.iteration >= total && Number.isNaN(finished[chain])) finished[chain] = now();
      lines.refresh();
    },
    stop() {
      lines.stop();
    },
  };
}
