/**
 * `toInferenceData`: an MCMC run (and optionally its log-likelihood, predictive draws and data)
 * as ArviZ's InferenceData, following `az.from_numpyro` and `az.from_dict`: sampled groups lead
 * with (chain, draw), unnamed dimensions are called `<variable>_dim_<k>` with coordinates
 * 0, 1, ..., sampler statistics take ArviZ's names, and every group carries `created_at`,
 * `inference_library` and `inference_library_version`.
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import { type ArrayLike, flatten, readFloat64, tf } from "../tf.js";
import { sizeOf } from "../util/shapes.js";
import { version } from "../version.js";
import type {
  CoordValues,
  Dataset,
  DataType,
  DataVariable,
  InferenceData,
} from "./inference-data.js";
import { checkDraws, isMcmcRun, type RunLike, resolveRun } from "./samples.js";

/** Options of `toInferenceData`: the groups beyond posterior and sample_stats, and labels. */
export interface InferenceDataOptions {
  /**
   * Pointwise log-likelihood per observed site (what `logLikelihood` returns), shaped
   * [chains, draws, ...] or [chains x draws, ...] (draws pooled chain after chain).
   */
  logLikelihood?: Record<string, Draws>;
  /** Posterior predictive draws (`Predictive` with the posterior), shaped as logLikelihood. */
  posteriorPredictive?: Record<string, Draws>;
  /** Prior draws of the latent sites (`Predictive` without posterior), [draws, ...]: one chain. */
  prior?: Record<string, Draws>;
  /** Prior predictive draws of the observed sites, [draws, ...]: one chain. */
  priorPredictive?: Record<string, Draws>;
  /** The observations, by observed site. */
  observedData?: Record<string, ArrayLike | Draws>;
  /** Other data the model was given (covariates, sizes), by name. */
  constantData?: Record<string, ArrayLike | Draws>;
  /** Labels of named dimensions, e.g. `{ school: ["Choate", "Deerfield", ...] }`. */
  coords?: Record<string, CoordValues>;
  /**
   * Names of each variable's dimensions after (chain, draw), e.g. `{ theta: ["school"] }`;
   * dimensions not named are `<variable>_dim_<k>`.
   */
  dims?: Record<string, string[]>;
  /** Attributes added to every group. */
  attrs?: Record<string, string | number | boolean>;
}

/** ArviZ's names of the sampler statistics in `McmcRun.extra`, and how they are stored. */
const sampleStatNames: Record<string, [string, DataType]> = {
  lp: ["lp", "float64"],
  acceptProb: ["acceptance_rate", "float64"],
  stepSize: ["step_size", "float64"],
  treeDepth: ["tree_depth", "int64"],
  numSteps: ["n_steps", "int64"],
  diverging: ["diverging", "bool"],
  energy: ["energy", "float64"],
};

/**
 * The run as ArviZ InferenceData. `run` is an `MCMC` after `run()`, its `toMcmcRun()`, or
 * samples grouped by chain.
 *
 * @example
 * const idata = toInferenceData(mcmc, {
 *   logLikelihood: logLikelihood(eightSchools, mcmc.getSamples(), sigma, y),
 *   observedData: { y },
 *   coords: { school: ["A", "B", "C", "D", "E", "F", "G", "H"] },
 *   dims: { eta: ["school"], theta: ["school"], y: ["school"] },
 * });
 * await writeInferenceData("out/eight_schools.zarr", idata, { format: "zarr" });
 */
export function toInferenceData(run: RunLike, options: InferenceDataOptions = {}): InferenceData {
  const resolved = resolveRun(run);
  const samples = isMcmcRun(resolved) ? resolved.samples : resolved;
  const attrs = {
    created_at: new Date().toISOString(),
    inference_library: "tyche",
    inference_library_version: version,
    ...options.attrs,
  };
  const builder = new GroupBuilder(options, attrs);
  const idata: InferenceData = {};
  const first = Object.values(samples)[0];
  if (first === undefined || first.shape.length < 2) {
    throw new ArgumentError({
      api: "toInferenceData",
      argument: "run",
      message: `toInferenceData: the run must hold samples grouped by chain, [chains, draws, ...], got ${first === undefined ? "no sites" : `shape [${first.shape.join(", ")}]`}`,
    });
  }
  const [numChains, numDraws] = first.shape;
  const layout = { numChains, numDraws };
  idata.posterior = builder.sampled("posterior", samples, layout);
  if (isMcmcRun(resolved)) {
    const stats: Record<string, Draws> = { ...resolved.extra };
    if (stats.lp === undefined && stats.potentialEnergy !== undefined) {
      stats.lp = {
        shape: stats.potentialEnergy.shape,
        data: stats.potentialEnergy.data.map((u) => -u),
      };
    }
    delete stats.potentialEnergy;
    idata.sample_stats = builder.sampled(
      "sample_stats",
      stats,
      layout,
      (name) => sampleStatNames[name] ?? [snakeCase(name), "float64"],
    );
  }
  if (options.logLikelihood)
    idata.log_likelihood = builder.sampled("log_likelihood", options.logLikelihood, layout);
  if (options.posteriorPredictive)
    idata.posterior_predictive = builder.sampled(
      "posterior_predictive",
      options.posteriorPredictive,
      layout,
    );
  if (options.prior) idata.prior = builder.sampled("prior", options.prior, "pooled");
  if (options.priorPredictive)
    idata.prior_predictive = builder.sampled("prior_predictive", options.priorPredictive, "pooled");
  if (options.observedData)
    idata.observed_data = builder.data("observed_data", options.observedData);
  if (options.constantData)
    idata.constant_data = builder.data("constant_data", options.constantData);
  return idata;
}

/** Builds datasets with one set of user coords and dims. */
class GroupBuilder {
  constructor(
    private readonly options: InferenceDataOptions,
    private readonly attrs: Record<string, string | number | boolean>,
  ) {}

  /**
   * A group whose variables lead with (chain, draw). `layout` is the posterior's chains and
   * draws (draws may come grouped or pooled), or "pooled": one chain of all the draws.
   */
  sampled(
    group: string,
    record: Record<string, Draws>,
    layout: { numChains: number; numDraws: number } | "pooled",
    naming: (name: string) => [string, DataType] = (name) => [name, "float64"],
  ): Dataset {
    const dataset = this.empty();
    for (const [site, draws] of Object.entries(record)) {
      checkDraws(draws, `${group}.${site}`, "toInferenceData");
      const [name, dtype] = naming(site);
      const shape = leadingChainDraw(group, site, draws.shape, layout);
      if (dataset.coords.chain === undefined) {
        dataset.coords.chain = range(shape[0]);
        dataset.coords.draw = range(shape[1]);
      } else if (
        dataset.coords.chain.length !== shape[0] ||
        dataset.coords.draw.length !== shape[1]
      ) {
        throw new ArgumentError({
          api: "toInferenceData",
          argument: `${group}.${site}`,
          message: `toInferenceData: every variable of ${group} needs the same chains and draws; "${site}" has [${shape.slice(0, 2).join(", ")}], others [${dataset.coords.chain.length}, ${dataset.coords.draw.length}]`,
        });
      }
      const dims = this.dimsOf(group, name, shape.slice(2), group === "log_likelihood");
      this.add(dataset, group, name, {
        dims: ["chain", "draw", ...dims],
        shape,
        dtype,
        data: dtype === "bool" ? draws.data.map((v) => (v !== 0 ? 1 : 0)) : draws.data,
      });
    }
    return dataset;
  }

  /** A group of data without (chain, draw): scalars become shape [1], as ArviZ does. */
  data(group: string, record: Record<string, ArrayLike | Draws>): Dataset {
    const dataset = this.empty();
    for (const [name, value] of Object.entries(record)) {
      const { values, shape } = toValues(value);
      const own = shape.length === 0 ? [1] : shape;
      this.add(dataset, group, name, {
        dims: this.dimsOf(group, name, own, false),
        shape: own,
        dtype: "float64",
        data: values,
      });
    }
    return dataset;
  }

  private empty(): Dataset {
    return { variables: {}, coords: {}, attrs: { ...this.attrs } };
  }

  /** The names of a variable's own dimensions: the user's, then `<name>_dim_<k>`. */
  private dimsOf(group: string, name: string, shape: number[], truncate: boolean): string[] {
    let given = this.options.dims?.[name] ?? [];
    // A log-likelihood has the batch shape of its site: event dimensions named for the
    // observations are dropped (ArviZ's skip_event_dims).
    if (truncate) given = given.slice(0, shape.length);
    if (given.length > shape.length) {
      throw new ArgumentError({
        api: "toInferenceData",
        argument: "dims",
        message: `toInferenceData: dims of "${name}" name ${given.length} dimensions (${given.join(", ")}) but in ${group} it has ${shape.length} after (chain, draw), shape [${shape.join(", ")}]`,
      });
    }
    return shape.map((_, k) => given[k] ?? `${name}_dim_${k}`);
  }

  private add(dataset: Dataset, group: string, name: string, variable: DataVariable): void {
    variable.dims.forEach((dim, k) => {
      const size = variable.shape[k];
      const known = dataset.coords[dim];
      if (known !== undefined) {
        if (known.length !== size) {
          throw new ArgumentError({
            api: "toInferenceData",
            argument: "dims",
            message: `toInferenceData: dimension "${dim}" of "${name}" in ${group} has size ${size}, but ${this.options.coords?.[dim] !== undefined ? "its coords have" : "another variable gives it"} ${known.length}`,
          });
        }
        return;
      }
      const labels = this.options.coords?.[dim];
      if (labels !== undefined && labels.length !== size) {
        throw new ArgumentError({
          api: "toInferenceData",
          argument: "coords",
          message: `toInferenceData: coords of "${dim}" have ${labels.length} values, but dimension ${k} of "${name}" in ${group} has size ${size}`,
        });
      }
      dataset.coords[dim] = labels === undefined ? range(size) : labels.slice();
    });
    dataset.variables[name] = variable;
  }
}

/** The shape with (chain, draw) leading: grouped draws as they are, pooled ones split. */
function leadingChainDraw(
  group: string,
  site: string,
  shape: number[],
  layout: { numChains: number; numDraws: number } | "pooled",
): number[] {
  if (layout === "pooled") {
    if (shape.length < 1) throw badShape(group, site, shape, "[draws, ...]");
    return [1, ...shape];
  }
  const { numChains, numDraws } = layout;
  if (shape.length >= 2 && shape[0] === numChains && shape[1] === numDraws) return shape.slice();
  if (shape.length >= 1 && shape[0] === numChains * numDraws)
    return [numChains, numDraws, ...shape.slice(1)];
  throw badShape(
    group,
    site,
    shape,
    `[${numChains}, ${numDraws}, ...] or [${numChains * numDraws}, ...] (the posterior's chains and draws)`,
  );
}

function badShape(group: string, site: string, shape: number[], wanted: string): ArgumentError {
  return new ArgumentError({
    api: "toInferenceData",
    argument: `${group}.${site}`,
    message: `toInferenceData: "${site}" in ${group} must have shape ${wanted}, got [${shape.join(", ")}]`,
  });
}

function toValues(value: ArrayLike | Draws): { values: Float64Array; shape: number[] } {
  if (value instanceof tf.Tensor) return { values: readFloat64(value), shape: value.shape.slice() };
  const draws = value as Partial<Draws>;
  if (Array.isArray(draws.shape) && draws.data instanceof Float64Array) {
    if (draws.data.length !== sizeOf(draws.shape))
      throw new ArgumentError({
        api: "toInferenceData",
        argument: "observedData",
        message: `toInferenceData: data of shape [${draws.shape.join(", ")}] has ${draws.data.length} values`,
      });
    return { values: draws.data, shape: draws.shape.slice() };
  }
  return flatten(value as Exclude<ArrayLike, tf.Tensor>);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
