/**
 * `markov`: a loop whose steps depend only on the last `history` steps, Pyro's
 * `for t in pyro.markov(range(T))`. Under enumeration (`enumerate`), a discrete site of a step
 * reuses the enumeration dim of a site `history + 1` or more steps back, so a chain of T
 * discrete states with K values costs O(T K^2) to sum out, not K^T.
 *
 * A model yields only messages, so the loop is written with a body, as `plate` is: each step
 * runs the body under a handler that records a markov frame (the loop and the step) on the
 * sample messages, and the enumeration handler reads those frames. `scan` can run its body
 * under `markovHandler` to give its steps the same frames.
 */
import { ArgumentError } from "../errors.js";
import type { MarkovFrame, Message } from "./messages.js";
import { type Handler, handle } from "./runtime.js";

/** Options of `markov`. */
export interface MarkovOptions {
  /** How many earlier steps a step may depend on (default 1: a first-order chain). */
  history?: number;
}

let loops = 0;

/**
 * A fresh loop id for markov frames (each `markov` loop, or each `scan`, takes one).
 *
 * @example
 * const frame = { id: newMarkovLoop(), step: 0, history: 1 };
 */
export function newMarkovLoop(): number {
  loops += 1;
  return loops;
}

/**
 * Runs `body` once per step of a loop whose steps depend only on the last `history` steps, and
 * returns the bodies' return values. `steps` is a number of steps (the body gets 0, 1, ...)
 * or the values to loop over (the body gets each value and its index).
 *
 * The promise a model makes: a step uses the values of discrete sites of at most `history`
 * earlier steps. Enumeration relies on it to reuse dims; reading an older enumerated value
 * gives a wrong answer that nothing can detect.
 *
 * @example
 * function* hmm(y: number[]) {
 *   const transition = constant([[0.9, 0.1], [0.2, 0.8]]);
 *   const levels = constant([0, 2]);
 *   let x = constant(0, "int32");
 *   yield* markov(y.length, function* (t) {
 *     x = yield* sample(`x_${t}`, Categorical({ probs: vindex(transition, x, -2) }), {
 *       infer: { enumerate: "parallel" },
 *     });
 *     yield* sample(`y_${t}`, Normal(vindex(levels, x), 0.5), { obs: y[t] });
 *   });
 * }
 */
export function markov<R>(
  steps: number,
  body: (step: number) => Generator<Message, R, unknown>,
  options?: MarkovOptions,
): Generator<Message, R[], unknown>;
export function markov<T, R>(
  steps: Iterable<T>,
  body: (value: T, step: number) => Generator<Message, R, unknown>,
  options?: MarkovOptions,
): Generator<Message, R[], unknown>;
export function* markov<T, R>(
  steps: number | Iterable<T>,
  body: (value: any, step: number) => Generator<Message, R, unknown>,
  options: MarkovOptions = {},
): Generator<Message, R[], unknown> {
  const history = options.history ?? 1;
  if (!Number.isInteger(history) || history < 0) {
    throw new ArgumentError({
      message: `markov: history must be a non-negative integer, got ${history}`,
      api: "markov",
      argument: "history",
    });
  }
  if (typeof steps === "number" && (!Number.isInteger(steps) || steps < 0)) {
    throw new ArgumentError({
      message: `markov: the number of steps must be a non-negative integer, got ${steps}`,
      api: "markov",
      argument: "steps",
    });
  }
  const values: Iterable<unknown> =
    typeof steps === "number" ? Array.from({ length: steps }, (_, i) => i) : steps;
  const id = newMarkovLoop();
  const out: R[] = [];
  let step = 0;
  for (const value of values) {
    out.push(yield* handle(body(value, step), markovHandler({ id, step, history })));
    step += 1;
  }
  return out;
}

/**
 * The handler of one markov step: records its frame on every sample message (innermost
 * loop first). `markov` runs each step under it; `scan` can do the same.
 *
 * @example
 * function* body(t: number) {
 *   return yield* sample(`x_${t}`, Normal(0, 1));
 * }
 * const loop = newMarkovLoop();
 * const step0 = handle(body(0), markovHandler({ id: loop, step: 0, history: 1 }));
 */
export function markovHandler(frame: MarkovFrame): Handler {
  return {
    process(msg) {
      if (msg.type !== "sample") return;
      if (msg.markov === undefined) msg.markov = [frame];
      else msg.markov.push(frame);
    },
  };
}
