/**
 * The text of progress lines, as pure functions of the state and the clock, so that what the
 * terminal shows is tested without a terminal.
 */

/**
 * A chain's progress as the MCMC driver reports it. The driver's `onProgress` reports
 * (`{ chain, phase, iteration, numIterations, stepSize, numDivergences, ... }`) have these
 * fields, so `onProgress: (p) => bar.update(p.chain, p)` connects the two.
 */
export interface ChainProgressUpdate {
  /** Iterations done so far, warmup included (0 ... total). */
  iteration: number;
  phase: "warmup" | "sampling";
  /** Current step size. */
  stepSize?: number;
  /** Divergent transitions so far (the driver counts them per phase). */
  numDivergences?: number;
}

/**
 * Seconds as a short duration: `42s`, `3m05s`, `1h02m`; `--` when unknown.
 *
 * @example
 * formatDuration(185); // "3m05s"
 */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  const minutes = Math.floor(s / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * Seconds left if the rest goes at the average pace so far; undefined before any progress.
 *
 * @example
 * estimateRemaining(25, 100, 10); // 30
 */
export function estimateRemaining(
  done: number,
  total: number,
  elapsedSeconds: number,
): number | undefined {
  if (!(done > 0) || !(elapsedSeconds >= 0)) return undefined;
  return (elapsedSeconds * Math.max(0, total - done)) / done;
}

/**
 * A bar of `width` cells filled in proportion to `done / total`.
 *
 * @example
 * formatBar(1, 4, 8); // "██░░░░░░"
 */
export function formatBar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

/** What a chain's line shows besides the reported progress. */
export interface ChainLineContext {
  /** 0-based chain index. */
  chain: number;
  /** Iterations per chain, warmup included. */
  total: number;
  elapsedSeconds: number;
  /** Width of the chain number, so that lines align. */
  chainDigits?: number;
}

/**
 * One chain's progress line.
 *
 * @example
 * formatChainLine({ iteration: 250, phase: "warmup", stepSize: 0.4123, numDivergences: 1 },
 *   { chain: 0, total: 1000, elapsedSeconds: 5 });
 * // "chain 1 █████░░░░░░░░░░░░░░░  25% 250/1000 warmup   step 0.412 div 1 ETA 15s"
 */
export function formatChainLine(progress: ChainProgressUpdate, context: ChainLineContext): string {
  const { iteration, phase, stepSize, numDivergences } = progress;
  const { chain, total, elapsedSeconds } = context;
  const label = String(chain + 1).padStart(context.chainDigits ?? 1);
  const percent = `${Math.floor((100 * Math.min(iteration, total)) / Math.max(1, total))}%`;
  const count = `${iteration}/${total}`.padStart(2 * String(total).length + 1);
  const parts = [
    `chain ${label}`,
    formatBar(iteration, total),
    percent.padStart(4),
    count,
    phase.padEnd(8),
  ];
  if (stepSize !== undefined) parts.push(`step ${formatStepSize(stepSize)}`);
  if (numDivergences !== undefined) parts.push(`div ${numDivergences}`);
  const done = iteration >= total;
  parts.push(
    done
      ? `done in ${formatDuration(elapsedSeconds)}`
      : `ETA ${formatDuration(estimateRemaining(iteration, total, elapsedSeconds))}`,
  );
  return parts.join(" ");
}

/** What the SVI line shows. */
export interface SviLineState {
  step: number;
  total: number;
  /** Mean loss over the last `window` steps. */
  runningLoss: number | undefined;
  window: number;
  elapsedSeconds: number;
  title?: string;
}

/**
 * The SVI progress line.
 *
 * @example
 * formatSviLine({ step: 500, total: 2000, runningLoss: 123.456, window: 100, elapsedSeconds: 2 });
 * // "SVI █████░░░░░░░░░░░░░░░  25%  500/2000 loss 123.5 (mean of 100) ETA 6s"
 */
export function formatSviLine(state: SviLineState): string {
  const { step, total, runningLoss, window, elapsedSeconds } = state;
  const percent = `${Math.floor((100 * Math.min(step, total)) / Math.max(1, total))}%`;
  const count = `${step}/${total}`.padStart(2 * String(total).length + 1);
  const loss =
    runningLoss === undefined
      ? "loss --"
      : `loss ${formatLoss(runningLoss)} (mean of ${Math.min(window, step)})`;
  const done = step >= total;
  return [
    state.title ?? "SVI",
    formatBar(step, total),
    percent.padStart(4),
    count,
    loss,
    done
      ? `done in ${formatDuration(elapsedSeconds)}`
      : `ETA ${formatDuration(estimateRemaining(step, total, elapsedSeconds))}`,
  ].join(" ");
}

/**
 * Three significant digits, in exponent notation when far from 1.
 *
 * @example
 * formatStepSize(0.041234); // "0.0412"
 */
export function formatStepSize(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4)
    ? x.toExponential(2)
    : Number(x.toPrecision(3)).toString();
}

/**
 * Losses: one decimal in the usual range, three below 10, exponent notation when huge or tiny.
 *
 * @example
 * formatLoss(123.456); // "123.5"
 */
export function formatLoss(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-2 || a >= 1e7)) return x.toExponential(3);
  return a < 10 ? x.toFixed(3) : x.toFixed(1);
}
