/**
 * `resampleObserved`: observed sites become latent ones drawn with the shape of their
 * observed value, as PyMC's predictive sampling does.
 */
import { ModelError } from "../errors.js";
import { type Model, wrap } from "../primitives/runtime.js";
import { formatShape, tryBroadcastShapes } from "../util/shapes.js";

/**
 * The model with every observed sample site drawn afresh, with its distribution expanded to
 * the observed value's shape: simulated data, for predictive draws and simulation-based
 * calibration. `factor`s and the values that `condition` imposed stay as they are.
 *
 * @example
 * const tr = trace(seed(resampleObserved(model), 0)).getTrace(data); // simulated data in tr
 */
export function resampleObserved<A extends unknown[], R>(model: Model<A, R>): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || !msg.isObserved || msg.value === null) return;
      if (msg.fn.family === "Unit" || msg.conditioned === true) return;
      const observedBatch = msg.value.shape.slice(0, msg.value.rank - msg.fn.eventShape.length);
      const batch = tryBroadcastShapes(observedBatch, msg.fn.batchShape);
      if (batch === undefined) {
        throw new ModelError({
          message: `resampleObserved: observed value of "${msg.name}" with shape ${formatShape(msg.value.shape)} does not broadcast with its distribution's shape ${formatShape(msg.fn.shape())}`,
          site: msg.name,
        });
      }
      msg.fn = msg.fn.expand(batch);
      msg.value = null;
      msg.isObserved = false;
    },
  }));
}
