/**
 * `condition`: observes sample sites at given values.
 */
import { ModelError } from "../errors.js";
import { type Model, wrap } from "../primitives/runtime.js";
import type { ArrayLike } from "../tf.js";
import { ownValue } from "../util/records.js";
import { siteValue } from "./site-value.js";

/**
 * Fixes sample sites to data and marks them observed (they count in the likelihood). A name
 * that matches no sample site is an error, which catches typos. Whole values given to a
 * discrete site become int32, as its draws are.
 *
 * @example
 * const posteriorModel = condition(model, { y: [28, 8, -3] });
 */
export function condition<A extends any[], R>(
  model: Model<A, R>,
  data: Record<string, ArrayLike>,
): Model<A, R> {
  return wrap(model, () => {
    const seen = new Set<string>();
    const used = new Set<string>();
    return {
      process(msg) {
        if (msg.type !== "sample") return;
        seen.add(msg.name);
        const value = ownValue(data, msg.name);
        if (value === undefined) return;
        used.add(msg.name);
        msg.value = siteValue(msg, value, "condition");
        msg.isObserved = true;
        msg.conditioned = true;
      },
      finish() {
        const unused = Object.keys(data).filter((name) => !used.has(name));
        if (unused.length > 0) {
          throw new ModelError({
            message: `condition: no sample site named ${unused.map((n) => `"${n}"`).join(", ")} in the model; sample sites are: ${[...seen].join(", ")}`,
            site: unused[0],
          });
        }
      },
    };
  });
}
