/**
 * A block of live lines on a terminal, redrawn at most every `throttleMs`: the shared engine of
 * the MCMC and SVI progress displays. Drawing (cursor movement, clearing, one line per bar,
 * trimming to the terminal width) is cli-progress's MultiBar; the text of each line comes from
 * a caller's function. MultiBar redraws on a timer, which never fires while a synchronous
 * sampling loop holds the event loop, so `refresh` also redraws from the caller's own calls
 * once the throttle interval has passed. Between redraws a call costs one clock read.
 *
 * Outside Node (a browser bundle of the library) there is no terminal: nothing displays, and
 * cli-progress is never loaded, since it subclasses Node's EventEmitter when it loads and
 * would make the whole bundle fail to start.
 */
import type CliProgress from "cli-progress";

// Loaded only under Node; the top-level await keeps `terminalLines` synchronous.
const cliProgress: typeof CliProgress | undefined =
  typeof process !== "undefined" && process.versions?.node !== undefined
    ? (await import("cli-progress")).default
    : undefined;

/** The standard output under Node, or undefined where there is none (a browser). */
function standardOutput(): NodeJS.WritableStream | undefined {
  return typeof process !== "undefined" ? process.stdout : undefined;
}

/**
 * A text stream to draw on, such as `process.stdout`. Written structurally, so that Tyche's
 * declarations need no `@types/node` (a browser project compiles without it).
 */
export interface TextStream {
  write(text: string): boolean;
  isTTY?: boolean;
}

/** Where and whether to display, shared by the progress displays. */
export interface DisplayOptions {
  /**
   * `false` never displays; `true` always does under Node (even on a stream that is not a
   * terminal); omitted: display only when `stream` is a TTY and the `CI` environment variable
   * is unset. Outside Node nothing displays.
   */
  enabled?: boolean;
  /** The stream to draw on (default `process.stdout`; outside Node nothing displays without one). */
  stream?: TextStream;
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
  if (options.enabled === false || cliProgress === undefined) return false;
  const stream = (options.stream ?? standardOutput()) as
    | (NodeJS.WritableStream & { isTTY?: boolean })
    | undefined;
  if (stream === undefined) return false;
  if (options.enabled === true) return true;
  const ci = process.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") return false;
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
  if (cliProgress === undefined) {
    throw new Error("terminalLines: drawing on a terminal needs Node (cli-progress)");
  }
  const stream = (options.stream ?? standardOutput()) as NodeJS.WritableStream & {
    isTTY?: boolean;
  };
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
