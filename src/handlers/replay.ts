/**
 * `replay`: reuses the values of another trace (a guide's, typically).
 */
import { ModelError } from "../errors.js";
import { type Model, wrap } from "../primitives/runtime.js";
import type { Trace } from "./trace.js";

/**
 * Gives latent sample sites (and plates) the values recorded for the same names in `guideTrace`.
 *
 * @example
 * const guideTrace = trace(seed(guide, 1)).getTrace();
 * const modelTrace = trace(replay(model, guideTrace)).getTrace(); // z from the guide
 */
export function replay<A extends any[], R>(model: Model<A, R>, guideTrace: Trace): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.type !== "sample" && msg.type !== "plate") return;
      if (!guideTrace.has(msg.name)) return;
      if (msg.type === "sample" && msg.isObserved) return;
      const site = guideTrace.get(msg.name);
      if (msg.type === "sample" && (site.type !== "sample" || site.isObserved)) {
        throw new ModelError({
          message: `replay: site "${msg.name}" must be a latent sample site in the replayed trace`,
          site: msg.name,
        });
      }
      msg.value = site.value;
    },
  }));
}
