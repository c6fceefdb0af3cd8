/**
 * Progress of stochastic variational inference on one line: step, running mean of the loss
 * over the last `window` steps, and the estimated time left. An update stores the loss in a
 * ring buffer and, unless a redraw is due, returns; the mean is taken when a line is drawn.
 */
import { ArgumentError } from "../errors.js";
import { formatSviLine } from "./format.js";
import { type DisplayOptions, shouldDisplay, terminalLines } from "./terminal-lines.js";

/** Options of `sviProgressBar`. */
export interface SviProgressBarOptions extends DisplayOptions {
  /** Number of optimisation steps. */
  total: number;
  /** Label at the start of the line (default "SVI"). */
  title?: string;
  /** Steps in the running mean of the loss (default 100). */
  window?: number;
}

/** A live SVI progress display. */
export interface SviProgressBar {
  readonly enabled: boolean;
  /** Reports the loss of step `step` (1-based count of steps done). */
  update(step: number, loss: number): void;
  stop(): void;
}

const api = "sviProgressBar";

/**
 * A progress display for `total` SVI steps. Silent unless the stream is a terminal and `CI`
 * is unset, or when `enabled: false`.
 *
 * @example
 * const bar = sviProgressBar({ total: 5000 });
 * for (let step = 1; step <= 5000; step++) bar.update(step, 42.0);
 * bar.stop();
 */
export function sviProgressBar(options: SviProgressBarOptions): SviProgressBar {
  const { total } = options;
  const window = options.window ?? 100;
  if (!Number.isInteger(total) || total < 0) {
    throw new ArgumentError({
      api,
      argument: "total",
      message: `${api}: total must be a non-negative integer, got ${total}`,
    });
  }
  if (!Number.isInteger(window) || window < 1) {
    throw new ArgumentError({
      api,
      argument: "window",
      message: `${api}: window must be a positive integer, got ${window}`,
    });
  }
  if (!shouldDisplay(options)) return { enabled: false, update() {}, stop() {} };
  const now = options.now ?? (() => performance.now());
  const recent = new Float64Array(window);
  let count = 0;
  let step = 0;
  let started = Number.NaN;
  let finished = Number.NaN;
  const lines = terminalLines(
    1,
    () => {
      const end = Number.isNaN(finished) ? now() : finished;
      return formatSviLine({
        step,
        total,
        runningLoss: count === 0 ? undefined : meanOfRecent(recent, Math.min(count, window)),
        window,
        elapsedSeconds: Number.isNaN(started) ? 0 : (end - started) / 1000,
        title: options.title,
      });
    },
    { ...options, now },
  );
  return {
    enabled: true,
    update(at, loss) {
      if (Number.isNaN(started)) started = now();
      recent[count % window] = loss;
      count++;
      step = at;
      if (at >= total && Number.isNaN(finished)) finished = now();
      lines.refresh();
    },
    stop() {
      lines.stop();
    },
  };
}

function meanOfRecent(recent: Float64Array, filled: number): number {
  let sum = 0;
  for (let i = 0; i < filled; i++) sum += recent[i];
  return sum / filled;
}
