/**
 * Stan's windowed adaptation schedule (Stan Reference Manual, "HMC algorithm parameters",
 * automatic parameter tuning; Stan's windowed_adaptation.hpp), as plain data:
 *
 * - an initial fast window (default 75 iterations) where only the step size adapts;
 * - slow windows (default first 25 iterations, each following one twice as long) at the end of
 *   each of which the metric is re-estimated from the window's draws; a window that would leave
 *   the following one less room than its doubled size is stretched to the end of the slow phase;
 * - a terminal fast window (default 50) where only the step size adapts, for the final metric.
 *
 * When the three stages do not fit in `numWarmup`, Stan falls back to 15% / 75% / 10% of it,
 * with a single slow window; with fewer than 20 warmup iterations the metric is not adapted.
 * (Stan's C++ leaves its window counters unset on the fallback path, stan-dev/stan#3380; this
 * schedule follows the documented 15/75/10 intent.)
 */
import { hmcDefaults } from "../mcmc/defaults.js";

/** One adaptation window: iterations [start, end) of warmup. */
export interface AdaptationWindow {
  readonly kind: "fast" | "slow";
  readonly start: number;
  readonly end: number;
}

/** Sizes of the three stages (Stan's defaults: 75, 50, 25). */
export interface AdaptationScheduleOptions {
  readonly initBuffer?: number;
  readonly termBuffer?: number;
  readonly baseWindow?: number;
}

/**
 * The windows of a warmup of `numWarmup` iterations, in order, covering [0, numWarmup). The
 * sizes are non-negative integers, as the options that set them are decoded to be.
 *
 * @example
 * buildAdaptationSchedule(1000).map((w) => `${w.kind} ${w.start}-${w.end}`);
 * // fast 0-75, slow 75-100, slow 100-150, slow 150-250, slow 250-450, slow 450-950, fast 950-1000
 */
export function buildAdaptationSchedule(
  numWarmup: number,
  options: AdaptationScheduleOptions = {},
): AdaptationWindow[] {
  const defaults = hmcDefaults.schedule;
  let initBuffer = options.initBuffer ?? defaults.initBuffer;
  let termBuffer = options.termBuffer ?? defaults.termBuffer;
  let baseWindow = options.baseWindow ?? defaults.baseWindow;
  if (numWarmup === 0) return [];
  if (numWarmup < 20) return [{ kind: "fast", start: 0, end: numWarmup }];
  if (initBuffer + baseWindow + termBuffer > numWarmup) {
    initBuffer = Math.floor(0.15 * numWarmup);
    termBuffer = Math.floor(0.1 * numWarmup);
    baseWindow = numWarmup - (initBuffer + termBuffer);
  }
  const windows: AdaptationWindow[] = [];
  if (initBuffer > 0) windows.push({ kind: "fast", start: 0, end: initBuffer });
  const slowEnd = numWarmup - termBuffer;
  let start = initBuffer;
  let size = baseWindow;
  let end = Math.min(start + size, slowEnd);
  while (size > 0 && start < slowEnd) {
    windows.push({ kind: "slow", start, end });
    if (end === slowEnd) break;
    start = end;
    size *= 2;
    end = start + size;
    // Stretch this window to the end of the slow phase when the next one would not fit.
    if (end - 1 + 2 * size >= slowEnd) end = slowEnd;
  }
  if (termBuffer > 0 || windows.length === 0) {
    windows.push({ kind: "fast", start: windows.at(-1)?.end ?? 0, end: numWarmup });
  }
  return windows;
}

/**
 * A one-line description of a schedule, e.g. for logs.
 *
 * @example
 * describeAdaptationSchedule(buildAdaptationSchedule(150)); // "fast [0, 75) | slow [75, 100) | fast [100, 150)"
 */
export function describeAdaptationSchedule(windows: readonly AdaptationWindow[]): string {
  return windows.map((w) => `${w.kind} [${w.start}, ${w.end})`).join(" | ");
}
