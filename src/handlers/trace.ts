/**
 * `trace`: records every site a model visits, in order, into a `Trace`.
 */
import { ModelError } from "../errors.js";
import type { SampleSite, Site } from "../primitives/messages.js";
import { type Model, run, wrap } from "../primitives/runtime.js";

/**
 * The sites of one model run, by name, in the order they were visited.
 *
 * @example
 * function* model() {
 *   const z = yield* sample("z", Normal(0, 1));
 *   yield* sample("x", Normal(z, 1), { obs: 0.5 });
 * }
 * const tr = trace(seed(model, 0)).getTrace();
 * [...tr.keys()]; // ["z", "x"]
 * tr.sampleSites().filter((site) => !site.isObserved).map((site) => site.name); // ["z"]
 */
export class Trace extends Map<string, Site> {
  /** The site of a name; throws naming the known sites when there is none. */
  override get(name: string): Site {
    const site = super.get(name);
    if (site === undefined) {
      throw new ModelError({
        message: `trace: no site named "${name}"; sites are: ${[...this.keys()].join(", ")}`,
        site: name,
      });
    }
    return site;
  }
  /** The sample sites (latent and observed), in order. */
  sampleSites(): SampleSite[] {
    return [...this.values()].filter((s): s is SampleSite => s.type === "sample");
  }
}

/** A model whose runs are recorded; `getTrace(...args)` runs it once and returns the trace. */
export interface TracedModel<A extends any[], R> extends Model<A, R> {
  getTrace(...args: A): Trace;
}

/**
 * Records the sites of a model. Sample and deterministic names must be unique.
 * With `into`, records into that trace (for use inside other runs).
 *
 * @example
 * const tr = trace(seed(eightSchools, 0)).getTrace(sigma, y);
 * tr.get("mu").value; // the drawn tensor
 */
export function trace<A extends any[], R>(model: Model<A, R>, into?: Trace): TracedModel<A, R> {
  const record = (target: () => Trace) =>
    wrap(model, () => {
      const tr = target();
      return {
        postprocess(msg) {
          if ((msg.type === "sample" || msg.type === "deterministic") && tr.has(msg.name)) {
            throw new ModelError({
              message: `trace: site name "${msg.name}" is used twice; every sample and deterministic site needs a unique name`,
              site: msg.name,
            });
          }
          tr.set(msg.name, { ...msg, plates: [...msg.plates] } as Site);
        },
      };
    });
  const traced = record(() => into ?? new Trace());
  return Object.assign(traced, {
    getTrace(...args: A): Trace {
      const tr = new Trace();
      run(
        record(() => tr),
        ...args,
      );
      return tr;
    },
  });
}
