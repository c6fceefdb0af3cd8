/**
 * `scope`: prefixes site names.
 */
import { type Model, wrap } from "../primitives/runtime.js";

/**
 * Renames every site and plate `prefix/name`, so a model can be reused twice in one program.
 *
 * @example
 * const left = scope(component, "left"); // sites "left/mu", "left/sigma"
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
