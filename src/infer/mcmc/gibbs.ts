/**
 * Compound steps: NUTS (or HMC) on the continuous sites, alternating with Gibbs updates of
 * other sites, as PyMC's CompoundStep and NumPyro's `HMCGibbs` and `DiscreteHMCGibbs`.
 *
 * Each iteration first updates the Gibbs sites given the continuous ones, then makes one NUTS
 * transition of the continuous sites given the Gibbs sites (the potential's fixed values, set
 * with `setFixed`). The compound step is a combinator over any sampling algorithm
 * (`withGibbsUpdate`): the chain loop and the inner kernel know nothing of it. Discrete sites are updated by a systematic scan over their elements, each
 * drawn from its full conditional: the joint density evaluated at every value of its
 * enumerated support (Geman & Geman 1984).
 */
import { withoutTensorValidation } from "../../dist/validation.js";
import { ModelError } from "../../errors.js";
import { seed } from "../../handlers/seed.js";
import { trace } from "../../handlers/trace.js";
import { foldIn, type Key, uniform } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import { type ArrayLike, flatten, readFloat64, tf, tidyValue } from "../../tf.js";
import { toNested } from "../../util/nested.js";
import { ownValue } from "../../util/records.js";
import type { Draws } from "../draws.js";
import type { Potential } from "../potential.js";
import type { McmcSampler } from "./sampler.js";
import type { KernelState, TunableAlgorithm } from "./sampling-algorithm.js";

// The key stream of the Gibbs updates, apart from the transition's own randomness.
const GIBBS_STREAM = 0x6769626273;

/** A user's Gibbs update: new values of the Gibbs sites given the continuous ones. */
export type GibbsFn = (
  key: Key,
  gibbsValues: Record<string, Draws>,
  hmcValues: Record<string, Draws>,
) => Record<string, ArrayLike>;

/** How a compound sampler updates its Gibbs sites. */
export interface GibbsSpec {
  /** The sites the Gibbs step owns (default: every discrete latent site). */
  readonly sites?: readonly string[];
  /** The update; without it, discrete sites are drawn from their enumerated full conditionals. */
  readonly update?: GibbsFn;
}

/** A sampler with a Gibbs part. */
export interface CompoundSampler<A extends unknown[], P = any> extends McmcSampler<A, P> {
  readonly gibbs: GibbsSpec;
}

/** @deprecated The former name of `CompoundSampler`. */
export type CompoundKernel<A extends unknown[], P = any> = CompoundSampler<A, P>;

/** A sampler whose chains alternate Gibbs updates with the inner sampler's transitions. */
abstract class GibbsSampler<A extends unknown[], P> implements CompoundSampler<A, P> {
  readonly name: string;
  readonly model: McmcSampler<A, P>["model"];
  readonly options: McmcSampler<A, P>["options"];
  readonly settings: unknown;
  // No `module`: the Gibbs update runs in this thread, so chains run sequentially.
  abstract readonly gibbs: GibbsSpec;

  constructor(private readonly inner: McmcSampler<A, P>) {
    this.name = inner.name;
    this.model = inner.model;
    this.options = inner.options;
    this.settings = inner.settings;
  }

  chainSetup(...args: Parameters<McmcSampler<A, P>["chainSetup"]>) {
    return this.inner.chainSetup(...args);
  }

  runMetadata(adapted: readonly P[]) {
    if (this.inner.runMetadata === undefined) {
      throw new TypeError(`${this.name}: this sampler gives no run metadata`);
    }
    return this.inner.runMetadata(adapted);
  }
}

/**
 * NUTS or HMC on the continuous sites, alternating with a user's Gibbs update of `gibbsSites`
 * (NumPyro's HMCGibbs).
 *
 * @example
 * const gibbsFn: GibbsFn = (key, gibbs, hmc) => ({ z: drawZGiven(key, hmc.mu) });
 * new MCMC(new HMCGibbs(new NUTS(model), { gibbsSites: ["z"], gibbsFn }), { numWarmup: 500, numSamples: 500 });
 */
export class HMCGibbs<A extends unknown[], P = unknown> extends GibbsSampler<A, P> {
  readonly gibbs: GibbsSpec;
  constructor(
    inner: McmcSampler<A, P>,
    options: { gibbsSites: readonly string[]; gibbsFn: GibbsFn },
  ) {
    super(inner);
    this.gibbs = { sites: options.gibbsSites, update: options.gibbsFn };
  }
}

/**
 * NUTS or HMC on the continuous sites, alternating with Gibbs updates of every discrete latent
 * site from its full conditional over the enumerated support (NumPyro's DiscreteHMCGibbs).
 * `MCMC` uses it by itself when a model has discrete latent sites.
 *
 * @example
 * const mcmc = new MCMC(new DiscreteHMCGibbs(new NUTS(mixture)), {
 *   numWarmup: 100, numSamples: 100, progressBar: false,
 * });
 * await mcmc.run(PRNGKey(0), points);
 * mcmc.getSamples().locs.shape; // [100, 2]
 */
export class DiscreteHMCGibbs<A extends unknown[], P = unknown> extends GibbsSampler<A, P> {
  readonly gibbs: GibbsSpec = {};
}

/**
 * A compound algorithm: before each transition of `inner`, `update` changes other variables
 * given the current position (a Gibbs step, with a key of its own); when it reports a change of
 * the target, the state is evaluated again at its position before the transition.
 *
 * @example
 * const compound = withGibbsUpdate(nutsAlgorithm(settings), gibbsChain(plan, spec, potential).update);
 */
export function withGibbsUpdate<P, S extends KernelState, I>(
  inner: TunableAlgorithm<P, S, I>,
  update: (key: Key, position: Float64Array) => boolean,
): TunableAlgorithm<P, S, I> {
  return (parameters) => {
    const algorithm = inner(parameters);
    return {
      infoFields: algorithm.infoFields,
      init: algorithm.init,
      step(state, key) {
        const changed = update(foldIn(key, GIBBS_STREAM), state.position);
        const current = changed ? algorithm.init(state.position, state.target, key) : state;
        return algorithm.step(current, key);
      },
    };
  };
}

/** A Gibbs site as discovered from one run of the model. */
interface GibbsSite {
  readonly name: string;
  readonly shape: number[];
  /** The values of the enumerated support (discrete sites updated by enumeration). */
  readonly support?: Float64Array;
  /** Its value at the discovery run. */
  readonly initial: Float64Array;
}

/** What a compound run needs: the Gibbs sites and their starting values. */
export interface GibbsPlan {
  readonly sites: readonly GibbsSite[];
  /** The starting values by site, for `potential(..., { fixed })`. */
  readonly initial: Record<string, ArrayLike>;
}

/**
 * Finds the Gibbs sites of a model and where they start; without `spec.sites`, the Gibbs sites
 * are `discrete`, the model's discrete latent sites.
 */
export function gibbsPlan<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  spec: GibbsSpec,
  key: Key,
  discrete: readonly string[],
): GibbsPlan {
  const names = spec.sites ?? discrete;
  const sites = tidyValue(() => {
    const tr = withoutTensorValidation(() => trace(seed(model, key)).getTrace(...args));
    return names.map((name): GibbsSite => {
      if (!tr.has(name)) {
        throw new ModelError({ message: `HMCGibbs: the model has no site "${name}"`, site: name });
      }
      const site = tr.get(name);
      if (site.type !== "sample" || site.isObserved) {
        throw new ModelError({
          message: `HMCGibbs: "${name}" must be a latent sample site`,
          site: name,
        });
      }
      const initial = Float64Array.from(readFloat64(site.value));
      if (spec.update !== undefined) return { name, shape: site.value.shape.slice(), initial };
      if (!site.fn.hasEnumerateSupport || site.fn.eventShape.length > 0) {
        throw new ModelError({
          message: `DiscreteHMCGibbs: site "${name}" (${site.fn.family}) has no finite scalar support to enumerate; marginalize it, or give an HMCGibbs gibbsFn`,
          site: name,
        });
      }
      const support = Float64Array.from(new Set(readFloat64(site.fn.enumerateSupport(false))));
      return { name, shape: site.value.shape.slice(), support, initial };
    });
  });
  return {
    sites,
    initial: Object.fromEntries(sites.map((s) => [s.name, toNested(s.initial, s.shape)])),
  };
}

/**
 * The Gibbs step of one chain over a potential whose fixed sites are the Gibbs sites: call
 * `update` before each transition; `current()` gives the values the transition used.
 */
export function gibbsChain(plan: GibbsPlan, spec: GibbsSpec, target: Potential) {
  const values: Record<string, Float64Array> = Object.fromEntries(
    plan.sites.map((s) => [s.name, Float64Array.from(s.initial)]),
  );
  const asFixed = () =>
    Object.fromEntries(plan.sites.map((s) => [s.name, toNested(values[s.name], s.shape)]));
  const asDraws = () =>
    Object.fromEntries(
      plan.sites.map((s) => [
        s.name,
        { shape: s.shape.slice(), data: Float64Array.from(values[s.name]) },
      ]),
    );
  target.setFixed(asFixed());
  const update = (key: Key, position: Float64Array): boolean => {
    if (spec.update !== undefined) {
      const next = spec.update(key, asDraws(), target.unravel(position));
      for (const s of plan.sites) {
        const given = ownValue(next, s.name);
        if (given !== undefined) values[s.name].set(flatValues(given));
      }
      target.setFixed(asFixed());
      return true;
    }
    // Systematic scan: each element from its full conditional over the support.
    let element = 0;
    for (const site of plan.sites) {
      const support = site.support as Float64Array;
      const current = values[site.name];
      const logp = new Float64Array(support.length);
      const u = uniform(foldIn(key, element), current.length);
      for (let j = 0; j < current.length; j++) {
        for (let k = 0; k < support.length; k++) {
          current[j] = support[k];
          target.setFixed({ [site.name]: toNested(current, site.shape) });
          logp[k] = target.logDensity(position);
        }
        current[j] = support[categorical(logp, u[j])];
      }
      target.setFixed({ [site.name]: toNested(current, site.shape) });
      element += current.length;
    }
    return true;
  };
  return { update, current: asDraws };
}

/** The index drawn from unnormalized log-probabilities with a uniform variate u. */
function categorical(logp: Float64Array, u: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logp) max = Math.max(max, v);
  let total = 0;
  for (const v of logp) total += Math.exp(v - max);
  let acc = 0;
  for (let k = 0; k < logp.length; k++) {
    acc += Math.exp(logp[k] - max) / total;
    if (u < acc) return k;
  }
  return logp.length - 1;
}

function flatValues(x: ArrayLike): Float64Array {
  return x instanceof tf.Tensor ? Float64Array.from(readFloat64(x)) : flatten(x).values;
}
