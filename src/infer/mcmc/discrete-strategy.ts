/**
 * How MCMC treats a model's discrete latent sites: the one choice point between summing them
 * out (enumeration, exact) and Gibbs updates between gradient-based transitions
 * (DiscreteHMCGibbs). Sites the model marks `infer: { enumerate: "parallel" }` are always
 * summed out, and a sampler with a Gibbs part of its own (HMCGibbs, DiscreteHMCGibbs) keeps it.
 * Other discrete latent sites are summed out, as NumPyro's NUTS does, when every one has a
 * finite support, the contraction is exact (tree-structured plates) and one evaluation builds at
 * most `ENUMERATION_BUDGET` elements; otherwise they get Gibbs updates, and MCMC says why.
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ModelError } from "../../errors.js";
import { configEnumerate } from "../../handlers/config-enumerate.js";
import type { Model } from "../../primitives/runtime.js";
import { tidyValue } from "../../tf.js";
import { contractionCost } from "../enum/log-joint.js";
import { discoverModel, type ModelDiscovery } from "../potential.js";
import type { CompoundSampler, GibbsSpec } from "./gibbs.js";
import type { McmcSampler } from "./sampler.js";

/** Elements one evaluation of an enumerated potential may build before MCMC prefers Gibbs. */
export const ENUMERATION_BUDGET = 1e7;

/** What MCMC samples: the model (marked for enumeration or not) and its Gibbs part, if any. */
export interface DiscreteStrategy<A extends unknown[]> {
  readonly model: Model<A, unknown>;
  /** What `discoverModel` found in a run of `model`. */
  readonly discovery: ModelDiscovery;
  /** Gibbs updates of discrete sites, when they are not summed out. */
  readonly gibbs?: GibbsSpec;
  /** Whether the potential sums discrete sites out (the model has enumerated sites). */
  readonly enumerated: boolean;
}

/**
 * Chooses how MCMC treats the discrete latent sites of a sampler's model, given what a run of
 * it found, and says which once per run (console.info) when it chooses for the user.
 *
 * @example
 * const { model, gibbs, enumerated } = discreteStrategy(new NUTS(mixture), [y], discoverModel(mixture, [y]));
 */
export function discreteStrategy<A extends unknown[]>(
  sampler: McmcSampler<A>,
  args: A,
  discovery: ModelDiscovery,
): DiscreteStrategy<A> {
  const model = sampler.model;
  const own = (sampler as Partial<CompoundSampler<A>>).gibbs;
  const unchanged = { model, discovery, enumerated: discovery.enumeration !== undefined };
  if (own !== undefined) return { ...unchanged, gibbs: own };
  const discrete = discovery.discreteLatent;
  if (discrete.length === 0) return unchanged;
  const marked = configEnumerate(model);
  const probe = probeEnumeration(marked, args);
  if (probe.discovery !== undefined) {
    console.info(
      `MCMC: the discrete latent sites ${list([...discovery.enumerated, ...discrete])} are summed out by enumeration (exact; ${probe.cost} elements per evaluation); ${sampler.name} samples the continuous sites from their marginal`,
    );
    return { model: marked, discovery: probe.discovery, enumerated: true };
  }
  console.info(
    `MCMC: the model has discrete latent sites (${list(discrete)}); they are sampled by Gibbs updates from their full conditionals between ${sampler.name} steps (DiscreteHMCGibbs), because ${probe.reason}`,
  );
  return { ...unchanged, gibbs: { sites: discrete } };
}

/** The marked model's discovery and contraction cost, or why it cannot be summed out. */
type Probe =
  | { readonly discovery: ModelDiscovery; readonly cost: number; readonly reason?: undefined }
  | { readonly discovery?: undefined; readonly reason: string };

// One seeded run to find the discrete sites, and one enumerated run to plan the contraction.
function probeEnumeration<A extends unknown[]>(marked: Model<A, unknown>, args: A): Probe {
  return tidyValue(() =>
    withoutTensorValidation((): Probe => {
      let discovery: ModelDiscovery;
      try {
        discovery = discoverModel(marked, args);
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        return { reason: `they cannot be enumerated: ${error.message}` };
      }
      const unsupported = discovery.discreteLatent;
      if (unsupported.length > 0) {
        return {
          reason: `${list(unsupported)} ${unsupported.length > 1 ? "have" : "has"} no finite support to enumerate`,
        };
      }
      const setup = discovery.enumeration;
      if (setup === undefined) return { reason: "no site could be marked for enumeration" };
      let cost: number;
      try {
        cost = contractionCost("MCMC", marked, args, setup);
      } catch (error) {
        if (!(error instanceof ModelError)) throw error;
        return { reason: `they cannot be summed out exactly: ${error.message}` };
      }
      if (cost > ENUMERATION_BUDGET) {
        return {
          reason: `summing them out would build ${cost} elements per evaluation (more than ${ENUMERATION_BUDGET})`,
        };
      }
      return { discovery, cost };
    }),
  );
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `"${n}"`);
  return names.length > 5 ? `${shown.join(", ")} and ${names.length - 5} more` : shown.join(", ");
}
