/**
 * The runtime: drives a generator model, passing every message through the handlers that
 * wrap it and applying the default behaviour (DESIGN.md section 2).
 *
 * A handler wraps a generator: it sees each message its inner generator yields, processes it,
 * and passes it outward with `yield`. So messages meet handlers innermost first (NumPyro's
 * `process_message` order) and, when the outer handlers return control, each handler's
 * postprocess runs outermost first (NumPyro's `postprocess_message` order). A handler that
 * sets `msg.stop` applies the default behaviour itself and hides the message from the
 * handlers outside it. A probe (`msg.probe`, sent by `scan`) is processed only: no default
 * behaviour, no postprocess. The runtime knows nothing of particular handlers.
 */
import { ModelError } from "../errors.js";
import { constant, tf } from "../tf.js";
import { formatShape, tryBroadcastShapes } from "../util/shapes.js";
import type { Message, PlateMessage, SampleMessage } from "./messages.js";
import { checkObserved } from "./site-data.js";
import { subsampleIndices } from "./subsample.js";

/** A model: a generator function yielding messages. `const z = yield* sample("z", Normal(0, 1))`. */
export type Model<Args extends any[] = any[], R = unknown> = (
  ...args: Args
) => Generator<Message, R, unknown>;

/** What a handler does to the messages that pass through it. */
export interface Handler {
  /** Called as the message travels outward, innermost handler first. */
  process?(msg: Message): void;
  /** Called after the message got its value, outermost handler first. */
  postprocess?(msg: Message): void;
  /** Called when the wrapped generator returns. */
  finish?(): void;
}

/**
 * Runs `gen` under `handler`: the building block of every handler.
 *
 * @example
 * function* doubled() { return yield* handle(model(), { process: (m) => { m.name += "2"; } }); }
 */
export function* handle<R>(
  gen: Generator<Message, R, unknown>,
  handler: Handler,
): Generator<Message, R, unknown> {
  let next = gen.next();
  while (!next.done) {
    const msg = next.value;
    handler.process?.(msg);
    if (msg.stop) {
      if (msg.probe === undefined) applyDefault(msg);
    } else yield msg;
    if (msg.probe === undefined) handler.postprocess?.(msg);
    next = gen.next();
  }
  handler.finish?.();
  return next.value;
}

/**
 * Wraps a model so that each call runs under a fresh handler.
 *
 * @example
 * const named = wrap(model, () => ({ process: (m) => console.log(m.name) }));
 */
export function wrap<A extends any[], R>(
  model: Model<A, R>,
  makeHandler: () => Handler,
): Model<A, R> {
  return function* wrapped(...args: A) {
    return yield* handle(model(...args), makeHandler());
  };
}

/**
 * Runs a model to completion with the default behaviour for every message that reaches the
 * top, and returns the model's return value.
 *
 * @example
 * const x = run(seed(model, 0)); // samples every site with keys from seed 0
 */
export function run<A extends any[], R>(model: Model<A, R>, ...args: A): R {
  const gen = model(...args);
  let next = gen.next();
  while (!next.done) {
    if (next.value.probe === undefined) applyDefault(next.value);
    next = gen.next();
  }
  return next.value;
}

/**
 * The default behaviour of a message that no handler stopped.
 *
 * @example
 * // A handler that draws each latent site on the spot, as the default would, to log it.
 * function* model() {
 *   yield* sample("z", Normal(0, 1));
 * }
 * const logged = wrap(seed(model, 0), () => ({
 *   process(msg) {
 *     if (msg.type !== "sample" || msg.value !== null) return;
 *     applyDefault(msg);
 *     console.log(msg.name, msg.value?.dataSync()[0]);
 *   },
 * }));
 * trace(logged).getTrace();
 */
export function applyDefault(msg: Message): void {
  switch (msg.type) {
    case "sample":
      defaultSample(msg);
      return;
    case "param":
      if (msg.value === null) {
        if (typeof msg.init === "function") {
          if (msg.key === null) throw missingKey("param", msg.name);
          msg.value = msg.init(msg.key);
        } else {
          msg.value = constant(msg.init);
        }
      }
      return;
    case "plate":
      defaultPlate(msg);
      return;
    case "deterministic":
      return;
  }
}

function defaultSample(msg: SampleMessage): void {
  msg.fn.assertValid(msg.name);
  if (msg.value === null) {
    if (msg.key === null) throw missingKey("sample", msg.name);
    msg.value = msg.fn.sample(msg.key);
    return;
  }
  if (msg.isObserved) checkObserved(msg.name, msg.value);
  const expected = msg.fn.shape();
  if (tryBroadcastShapes(msg.value.shape, expected) === undefined) {
    throw new ModelError({
      message:
        `sample("${msg.name}"): ${msg.isObserved ? "observed" : "given"} value of shape ${formatShape(msg.value.shape)} ` +
        `does not broadcast with the distribution's shape ${formatShape(expected)} ` +
        `(batch ${formatShape(msg.fn.batchShape)}, event ${formatShape(msg.fn.eventShape)})`,
      site: msg.name,
    });
  }
}

function defaultPlate(msg: PlateMessage): void {
  if (msg.value !== null) return;
  if (msg.subsampleSize === msg.size) {
    msg.value = tf.range(0, msg.size, 1, "int32");
    return;
  }
  if (msg.key === null) throw missingKey("plate", msg.name);
  msg.value = tf.tensor1d(subsampleIndices(msg.key, msg.size, msg.subsampleSize), "int32");
}

function missingKey(kind: string, name: string): ModelError {
  return new ModelError({
    message:
      `${kind}("${name}"): no PRNG key to draw a value with; run the model under ` +
      `seed(model, key), or give the site a value (condition, substitute, obs)`,
    site: name,
  });
}
