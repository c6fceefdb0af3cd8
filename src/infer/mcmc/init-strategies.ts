/**
 * Where chains start: uniform(-radius, radius) in the unconstrained space (Stan's and NumPyro's
 * default), the median of prior draws, or values the user gives.
 */

import { ArgumentError } from "../../errors.js";
import type { Key } from "../../primitives/prng.js";
import type { Model } from "../../primitives/runtime.js";
import type { ArrayLike } from "../../tf.js";
import { toNested } from "../../util/nested.js";
import { siteRecord } from "../../util/records.js";
import type { Potential } from "../potential.js";
import { Predictive } from "../predictive.js";
import { mcmcDefaults, pathfinderDefaults } from "./defaults.js";

/** How to choose a chain's initial point. */
export type InitStrategy =
  | { readonly kind: "uniform"; readonly radius: number }
  | { readonly kind: "median"; readonly numSamples: number }
  | { readonly kind: "value"; readonly values: Readonly<Record<string, ArrayLike>> }
  | {
      readonly kind: "pathfinder";
      readonly numElboDraws: number;
      readonly historySize: number;
      readonly maxIterations: number;
    };

/**
 * Start uniformly in (-radius, radius) in the unconstrained space, retrying up to 100 points
 * until the density and gradient are finite.
 *
 * @example
 * new NUTS(model, { initStrategy: initToUniform({ radius: 1 }) });
 */
export function initToUniform(options: { radius?: number } = {}): InitStrategy {
  return { kind: "uniform", radius: options.radius ?? mcmcDefaults.initRadius };
}

/**
 * Start at the elementwise median of `numSamples` prior draws (default 15, as NumPyro).
 *
 * @example
 * new NUTS(model, { initStrategy: initToMedian() });
 */
export function initToMedian(options: { numSamples?: number } = {}): InitStrategy {
  return { kind: "median", numSamples: options.numSamples ?? 15 };
}

/**
 * Start at given constrained values (every latent site needs one).
 *
 * @example
 * new NUTS(model, { initStrategy: initToValue({ mu: 0, tau: 1 }) });
 */
export function initToValue(values: Record<string, ArrayLike>): InitStrategy {
  return { kind: "value", values };
}

/**
 * Start each chain where a Pathfinder path (Zhang, Carpenter, Gelman & Vehtari 2022) from a
 * uniform(-2, 2) point leads, with the path's normal approximation giving the first inverse
 * mass matrix (NUTS and HMC; the same as `initStrategy: "pathfinder"`). Options: draws per ELBO
 * estimate (default 5, the paper's; standalone Pathfinder uses Stan's 25), L-BFGS history size
 * (6) and iterations (1000).
 *
 * @example
 * new NUTS(model, { initStrategy: initToPathfinder(), adaptation: "fisher-diag" });
 */
export function initToPathfinder(
  options: { numElboDraws?: number; historySize?: number; maxIterations?: number } = {},
): InitStrategy {
  const check = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new ArgumentError({
        message: `initToPathfinder: option "${name}" must be an integer >= 1, got ${value}`,
        api: "initToPathfinder",
        argument: name,
      });
    }
  };
  check("numElboDraws", options.numElboDraws);
  check("historySize", options.historySize);
  check("maxIterations", options.maxIterations);
  return {
    kind: "pathfinder",
    numElboDraws: options.numElboDraws ?? pathfinderDefaults.initNumElboDraws,
    historySize: options.historySize ?? pathfinderDefaults.lbfgs.historySize,
    maxIterations: options.maxIterations ?? pathfinderDefaults.lbfgs.maxIterations,
  };
}

/**
 * The unconstrained starting point of a chain, or undefined to let the sampler draw uniform
 * points itself (with retries; Pathfinder then starts its path there).
 */
export function initialPosition<A extends unknown[]>(
  strategy: InitStrategy,
  model: Model<A, unknown>,
  args: A,
  target: Potential,
  key: Key,
): Float64Array | undefined {
  switch (strategy.kind) {
    case "uniform":
    case "pathfinder":
      return undefined;
    case "value":
      return target.ravel(strategy.values as Record<string, ArrayLike>);
    case "median": {
      const names = target.layout.sites.map((s) => s.name);
      const prior = new Predictive(model, {
        numSamples: strategy.numSamples,
        returnSites: names,
      }).run(key, ...args);
      const values = siteRecord<ArrayLike>();
      for (const site of target.layout.sites) {
        values[site.name] = toNested(
          elementwiseMedian(prior[site.name].data, strategy.numSamples),
          site.shape,
        );
      }
      return target.ravel(values);
    }
  }
}

function elementwiseMedian(data: Float64Array, n: number): Float64Array {
  const size = data.length / n;
  const out = new Float64Array(size);
  const column = new Float64Array(n);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < n; i++) column[i] = data[i * size + j];
    column.sort();
    out[j] = n % 2 === 1 ? column[(n - 1) / 2] : 0.5 * (column[n / 2 - 1] + column[n / 2]);
  }
  return out;
}

/** Per-site log-probabilities at an unconstrained point, for initialization errors. */
export function describePoint(target: Potential, q: Float64Array): string {
  try {
    const lp = target.pointLogProbs(q);
    return `log-probabilities per site at that point: ${Object.entries(lp)
      .map(([name, v]) => `${name}: ${v}`)
      .join(", ")}`;
  } catch (e) {
    return `(per-site log-probabilities could not be computed: ${(e as Error).message})`;
  }
}
