/**
 * A block of live lines on a terminal, redrawn at most every `throttleMs`: the shared engine of
 * the MCMC and SVI progress displays. Drawing (cursor movement, clearing, one line per bar,
 * trimming to the terminal width) is cli-progress's MultiBar; the text of each line comes from
 * a caller's function. MultiBar redraws on a timer, which never fires while a synchronous
 * sampling loop holds the event loop, so `refresh` also redraws from the caller's own calls
 * once the throttle interval has passed. Between redraws a call costs one clock read.
 */
import cliProgress from "cli-progress";

/** Where and whether to display, shared by the progress displays. */
export interface DisplayOptions {
  /**
   * `false` never displays; `true` always does (even on a stream that is not a terminal);
   * omitted: display only when `stream` is a TTY and the `CI` environment variable is unset.
   */
  enabled?: boolean;
  /** The stream to draw on (default `process.stdout`). */
  stream?: NodeJS.WritableStream;
  /** Least time between redraws in milliseconds (default 100). */
  throttleMs?: number;
  /** Clock in milliseconds (default `performance.now`); tests pass a fake one. */
  now?: () => number;
}

/**
 * Whether a display with these options shows anything.
 *
 * @example
 * shouldDisplay({ enabled: false }); // false
 */
export function shouldDisplay(options: DisplayOptions): boolean {
  if (options.enabled !== undefined) return options.enabled;
  const ci = process.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") return false;
  const stream = (options.stream ?? process.stdout) as NodeJS.WritableStream & { isTTY?: boolean };
  return stream.isTTY === true;
}

/** Live lines: `refresh()` redraws when due, `stop()` draws the final state and releases the terminal. */
export interface TerminalLines {
  refresh(): void;
  stop(): void;
}

/**
 * `count` lines whose text `lineText(i)` gives, drawn on the options' stream.
 *
 * @example
 * const lines = terminalLines(2, (i) => `line ${i}`, { enabled: true });
 * lines.refresh(); lines.stop();
 */
export function terminalLines(
  count: number,
  lineText: (index: number) => string,
  options: DisplayOptions,
): TerminalLines {
  const stream = (options.stream ?? process.stdout) as NodeJS.WritableStream & { isTTY?: boolean };
  const throttleMs = options.throttleMs ?? 100;
  const now = options.now ?? (() => performance.now());
  const multiBar = new cliProgress.MultiBar({
    stream,
    format: (_options, _params, payload: { index: number }) => lineText(payload.index),
    fps: 1000 / Math.max(throttleMs, 10),
    // Leave the cursor visible and Ctrl-C to Node: cli-progress's SIGINT handler would keep
    // the first Ctrl-C from ending the program.
    hideCursor: false,
    gracefulExit: false,
    linewrap: false,
    // When forced onto a stream that is not a terminal, print lines on its own schedule.
    noTTYOutput: stream.isTTY !== true,
    notTTYSchedule: Math.max(throttleMs, 1000),
  });
  for (let i = 0; i < count; i++) multiBar.create(1, 0, { index: i });
  let lastDraw = Number.NEGATIVE_INFINITY;
  let stopped = false;
  return {
    refresh() {
      if (stopped) return;
      const t = now();
      if (t - lastDraw < throttleMs) return;
      lastDraw = t;
      multiBar.update();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multiBar.stop();
    },
  };
}
