/**
 * The posteriordb reference set (tests/oracles/posteriordb, see its README): reading a posterior's
 * data and reference statistics, and the shape every Tyche model of the set exports, a model
 * with its data loader and the map from posteriordb's scalar names (`theta[1]`, 1-based) to
 * elements of Tyche sites.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Draws, Model } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));

/** The folder of the posteriordb reference set, vendored into tests/oracles. */
export const posteriordbDir = resolve(here, "../tests/oracles/posteriordb");

/** Reference statistics of one scalar, from all of posteriordb's reference draws. */
export interface ReferenceScalar {
  readonly mean: number;
  /** Standard deviation with ddof = 1. */
  readonly sd: number;
  /** Quantiles (R type 7). */
  readonly q05: number;
  readonly q50: number;
  readonly q95: number;
  /** Pearson (non-excess) kurtosis m4 / m2^2, for the MCSE of the sd. */
  readonly kurtosis: number;
  readonly ref_ess_bulk: number;
  readonly ref_ess_tail: number;
  readonly ref_rhat: number;
}

/** A posterior's reference.json: statistics per scalar, in posteriordb's order. */
export interface Reference {
  readonly posterior_name: string;
  readonly reference_posterior_name: string;
  readonly parameters: Record<string, ReferenceScalar>;
}

/** The sampler settings of posteriordb's reference run (Stan's adapt_delta, max_treedepth). */
export interface ReferenceControl {
  readonly targetAcceptProb: number;
  readonly maxTreeDepth: number;
}

/**
 * The NUTS settings posteriordb used for the posterior's reference draws (Stan's defaults
 * where it set none).
 *
 * @example
 * referenceControl("gp_pois_regr-gp_regr"); // { targetAcceptProb: 0.99, maxTreeDepth: 15 }
 */
export function referenceControl(posterior: string): ReferenceControl {
  const { reference_method: method } = readPosteriorFile<{
    reference_method: { control?: { adapt_delta?: number; max_treedepth?: number } };
  }>(posterior, "reference.json");
  return {
    targetAcceptProb: method.control?.adapt_delta ?? 0.8,
    maxTreeDepth: method.control?.max_treedepth ?? 10,
  };
}

/** Parses `file` of the posterior folder `posterior`. */
export function readPosteriorFile<T>(posterior: string, file: string): T {
  return JSON.parse(readFileSync(resolve(posteriordbDir, posterior, file), "utf8")) as T;
}

/**
 * The reference statistics of a posterior.
 *
 * @example
 * loadReference("eight_schools-eight_schools_noncentered").parameters.mu.mean; // 4.41...
 */
export function loadReference(posterior: string): Reference {
  return readPosteriorFile<Reference>(posterior, "reference.json");
}

/** One scalar of a site's value in each draw: the element at row-major `index`. */
export interface SiteElement {
  readonly site: string;
  readonly index: number;
}

/**
 * posteriordb names `name[1]`..`name[n]` mapped to elements 0..n-1 of the Tyche site `site`.
 *
 * @example
 * vectorElements("theta", 2); // { "theta[1]": { site: "theta", index: 0 }, "theta[2]": ... }
 */
export function vectorElements(
  name: string,
  size: number,
  site = name,
): Record<string, SiteElement> {
  return Object.fromEntries(
    Array.from({ length: size }, (_, i) => [`${name}[${i + 1}]`, { site, index: i }]),
  );
}

/** A scalar site under its own name. */
export function scalarSite(site: string): Record<string, SiteElement> {
  return { [site]: { site, index: 0 } };
}

/**
 * A posterior of the set written as a Tyche model. `model` takes one argument, the value
 * `loadData()` returns (data.json, with derived data computed once).
 */
export interface PosteriorDefinition<D = any> {
  /** posteriordb's posterior name: the folder under tests/oracles/posteriordb. */
  readonly posterior: string;
  readonly model: Model<[D], unknown>;
  readonly loadData: () => D;
  /** posteriordb's scalar name (1-based) -> the Tyche site element that holds it. */
  readonly scalars: Record<string, SiteElement>;
  /**
   * Derived quantities recomputed in float64 from the latent draws (shape [...draws, ...site]),
   * replacing the model's deterministic sites of the same names. MCMC computes deterministic
   * sites by running the model eagerly in float32, which is not enough for some models
   * (gp_pois_regr's Cholesky factor).
   */
  readonly derive?: (samples: Record<string, Draws>, data: D) => Record<string, Draws>;
}

/**
 * The draws of every reference scalar, one Float64Array per chain, from samples grouped by
 * chain (each site `[chains, draws, ...site shape]`).
 *
 * @example
 * const chains = scalarChains(mcmc.getSamples({ groupByChain: true }), definition.scalars);
 * chains["theta[1]"].length; // number of chains
 */
export function scalarChains(
  samples: Record<string, Draws>,
  scalars: Record<string, SiteElement>,
): Record<string, Float64Array[]> {
  const out: Record<string, Float64Array[]> = {};
  for (const [name, { site, index }] of Object.entries(scalars)) {
    const draws = samples[site];
    if (draws === undefined) {
      throw new Error(`scalarChains: the samples have no site "${site}" (for "${name}")`);
    }
    const [numChains, numDraws] = draws.shape;
    const size = draws.data.length / (numChains * numDraws);
    if (!(index >= 0 && index < size)) {
      throw new RangeError(
        `scalarChains: "${name}" is element ${index} of site "${site}", which has ${size} elements`,
      );
    }
    out[name] = Array.from({ length: numChains }, (_, c) => {
      const chain = new Float64Array(numDraws);
      for (let d = 0; d < numDraws; d++) chain[d] = draws.data[(c * numDraws + d) * size + index];
      return chain;
    });
  }
  return out;
}
