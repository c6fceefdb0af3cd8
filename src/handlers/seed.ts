/**
 * `seed`: gives every site that needs randomness its own key, split from one seed.
 */
import { type Key, split, toKey } from "../primitives/prng.js";
import { type Model, wrap } from "../primitives/runtime.js";

/**
 * Runs a model with randomness from `key` (a key or an integer seed): each sample site without
 * a value, each param with an initializer function and each subsampling plate gets the next
 * key split from it, so the same seed gives bit-identical traces.
 *
 * @example
 * const tr = trace(seed(model, 0)).getTrace();
 */
export function seed<A extends any[], R>(model: Model<A, R>, key: Key | number): Model<A, R> {
  const root = toKey(key, "seed");
  return wrap(model, () => {
    let current = root;
    const next = (): Key => {
      const [rest, sub] = split(current);
      current = rest;
      return sub;
    };
    return {
      process(msg) {
        if (msg.value !== null) return;
        if (msg.type === "sample" && !msg.isObserved && msg.key === null) msg.key = next();
        else if (msg.type === "param" && typeof msg.init === "function" && msg.key === null)
          msg.key = next();
        else if (msg.type === "plate" && msg.subsampleSize !== msg.size && msg.key === null)
          msg.key = next();
      },
    };
  });
}
