/**
 * How MCMC treats a model's discrete latent sites: the one choice point between summing them
 * out (enumeration, exact) and Gibbs updates between gradient-based transitions
 * (DiscreteHMCGibbs). Enumeration is chosen when every discrete latent site has a finite
 * support, the contraction is exact (tree-structured plates) and one evaluation builds at most
 * `ENUMERATION_BUDGET` elements; otherwise Gibbs, with the reason.
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ModelError } from "../../errors.js";
import { configEnumerate } from "../../handlers/config-enumerate.js";
import { seed } from "../../handlers/seed.js";
import { trace } from "../../handlers/trace.js";
import { PRNGKey } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { tidyValue } from "../../tf.js";
import { contractionCost, enumerationSetup, isEnumerated } from "../enum/log-joint.js";
import type { CompoundKernel, GibbsSpec } from "./gibbs.js";
import type { SamplerKernel } from "./kernels.js";

/** Elements one evaluation of an enumerated potential may build before MCMC prefers Gibbs. */
export const ENUMERATION_BUDGET = 1e7;

/** What MCMC samples: the model (marked for enumeration or not) and its Gibbs part, if any. */
export interface DiscreteStrategy<A extends unknown[]> {
  readonly model: Model<A, unknown>;
  /** Gibbs updates of discrete sites, when they are not summed out. */
  readonly gibbs?: GibbsSpec;
  /** Whether discrete sites are summed out (the model has enumerated sites). */
  readonly enumerated: boolean;
}

/**
 * Chooses how MCMC treats the discrete latent sites of a sampler's model, and says which once
 * per run (console.info) when the model has any.
 *
 * @example
 * const { model, gibbs, enumerated } = discreteStrategy(new NUTS(mixture), [y]);
 */
export function discreteStrategy<A extends unknown[]>(
  sampler: SamplerKernel<A>,
  args: A,
): DiscreteStrategy<A> {
  const own = (sampler as Partial<CompoundKernel<A>>).gibbs;
  const model = sampler.model;
  if (own !== undefined) return { model, gibbs: own, enumerated: false };
  const marked = configEnumerate(model);
  const probe = probeEnumeration(marked, args);
  if (probe.discrete.length === 0) return { model, enumerated: false };
  const kind = sampler.kind.toUpperCase();
  if (probe.reason === undefined) {
    console.info(
      `MCMC: the discrete latent sites ${list(probe.discrete)} are summed out by enumeration (exact; ${probe.cost} elements per evaluation); ${kind} samples the continuous sites from their marginal`,
    );
    return { model: marked, enumerated: true };
  }
  console.info(
    `MCMC: the model has discrete latent sites (${list(probe.discrete)}); they are sampled by Gibbs updates from their full conditionals between ${kind} steps (DiscreteHMCGibbs), because ${probe.reason}`,
  );
  return { model, gibbs: { sites: probe.discrete }, enumerated: false };
}

interface Probe {
  /** Discrete latent sites (marked for enumeration or not). */
  readonly discrete: string[];
  /** Why enumeration is not used, if it is not. */
  readonly reason?: string;
  readonly cost?: number;
}

// One seeded run to find the discrete sites, and one enumerated run to plan the contraction.
function probeEnumeration<A extends unknown[]>(marked: Model<A, unknown>, args: A): Probe {
  return tidyValue(() =>
    withoutTensorValidation(() => {
      const run = marked as Model<any[], unknown>;
      const tr = trace(seed(run, PRNGKey(0))).getTrace(...args);
      const latent = tr.sampleSites().filter((s) => !s.isObserved);
      const discrete = latent.filter((s) => s.fn.isDiscrete).map((s) => s.name);
      const unsupported = latent.filter((s) => s.fn.isDiscrete && !isEnumerated(s));
      if (unsupported.length > 0) {
        return {
          discrete,
          reason: `${list(unsupported.map((s) => s.name))} ${unsupported.length > 1 ? "have" : "has"} no finite support to enumerate`,
        };
      }
      const eventful = latent.find((s) => isEnumerated(s) && s.fn.eventShape.length > 0);
      if (eventful !== undefined) {
        return { discrete, reason: `"${eventful.name}" has event dims` };
      }
      try {
        const setup = enumerationSetup("MCMC", run, args, { trace: tr });
        const cost = contractionCost("MCMC", run, args, setup);
        if (cost > ENUMERATION_BUDGET) {
          return {
            discrete,
            reason: `summing them out would build ${cost} elements per evaluation (more than ${ENUMERATION_BUDGET})`,
          };
        }
        return { discrete, cost };
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        return {
          discrete,
          reason: `they cannot be summed out exactly: ${error.message}`,
        };
      }
    }),
  );
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `"${n}"`);
  return names.length > 5 ? `${shown.join(", ")} and ${names.length - 5} more` : shown.join(", ");
}
