/**
 * `configEnumerate`: marks every discrete latent site with a finite support for enumeration.
 */
import { type Model, wrap } from "../primitives/runtime.js";

/** Options of `configEnumerate`. */
export interface ConfigEnumerateOptions {
  /** The strategy to mark sites with (default "parallel", the only one supported). */
  default?: "parallel";
}

/**
 * Marks every latent sample site whose distribution has `enumerateSupport` with
 * `infer: { enumerate: "parallel" }`, unless the site sets `enumerate` itself (NumPyro's
 * `config_enumerate`). Inference then sums those sites out instead of sampling them.
 *
 * @example
 * function* mixture(y: number[]) {
 *   const locs = yield* sample("locs", Normal(constant([-1, 1]), 5).toEvent(1));
 *   yield* plate("data", y.length, function* () {
 *     const z = yield* sample("z", Categorical({ probs: [0.5, 0.5] }));
 *     yield* sample("y", Normal(tf.gather(locs, tf.cast(z, "int32")), 1), { obs: y });
 *   });
 * }
 * const marked = configEnumerate(mixture); // z is summed out by NUTS, SVI and potential
 */
export function configEnumerate<A extends any[], R>(
  model: Model<A, R>,
  options: ConfigEnumerateOptions = {},
): Model<A, R> {
  const strategy = options.default ?? "parallel";
  return wrap(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.isObserved || !msg.fn.hasEnumerateSupport) return;
      if (msg.infer.enumerate !== undefined) return;
      // A fresh object: the options a model passes may be shared between its sites.
      msg.infer = { ...msg.infer, enumerate: strategy };
    },
  }));
}
