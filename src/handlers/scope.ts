/**
 * `scope`: prefixes site names.
 */
import { type Model, wrap } from "../primitives/runtime.js";

/**
 * Renames every site and plate `prefix/name`, so a model can be reused twice in one program.
 *
 * @example
 * function* component() {
 *   const mu = yield* sample("mu", Normal(0, 1));
 *   return yield* sample("sigma", HalfNormal(tf.exp(mu)));
 * }
 * const left = scope(component, "left"); // sites "left/mu", "left/sigma"
 * trace(seed(left, 0)).getTrace().get("left/mu");
 */
export function scope<A extends any[], R>(
  model: Model<A, R>,
  prefix: string,
  divider = "/",
): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      msg.name = `${prefix}${divider}${msg.name}`;
    },
  }));
}
