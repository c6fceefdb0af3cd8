/**
 * InferenceData: ArviZ's container of a fit's arrays (Kumar, Carroll, Hartikainen and Martin
 * 2019, "ArviZ a unified library for exploratory analysis of Bayesian models in Python", JOSS
 * 4(33)). A fit is split into groups (`posterior`, `sample_stats`, `log_likelihood`,
 * `posterior_predictive`, `observed_data`, `prior`, ...), each an xarray-style dataset: named
 * variables over named dimensions, with coordinate values per dimension and attributes.
 * Sampled groups lead with the dimensions `chain` and `draw`.
 *
 * `toInferenceData` builds one from an MCMC run; `writeInferenceData` and `readInferenceData`
 * store it as Zarr (what `az.from_zarr` and `xr.open_zarr` read) or as the JSON that
 * `az.from_json` reads.
 */

/** How a variable's values are stored: `float64`, `int64` (integers) or `bool` (0 and 1). */
export type DataType = "float64" | "int64" | "bool";

/** Values along one dimension: integers (the default, 0, 1, ...) or labels. */
export type CoordValues = number[] | string[];

/** One array of a dataset: its values in row-major order over the named dimensions. */
export interface DataVariable {
  dims: string[];
  shape: number[];
  dtype: DataType;
  /** Row-major values (integers and booleans as numbers). */
  data: Float64Array;
}

/** An xarray-style dataset: variables, the coordinates of every dimension they use, attributes. */
export interface Dataset {
  variables: Record<string, DataVariable>;
  coords: Record<string, CoordValues>;
  attrs: Record<string, string | number | boolean>;
}

/** The groups of ArviZ's InferenceData schema, in the order ArviZ lists them. */
export const inferenceDataGroups = [
  "posterior",
  "posterior_predictive",
  "predictions",
  "log_likelihood",
  "sample_stats",
  "prior",
  "prior_predictive",
  "sample_stats_prior",
  "observed_data",
  "constant_data",
  "predictions_constant_data",
] as const;

/** A group name of ArviZ's schema. */
export type InferenceDataGroup = (typeof inferenceDataGroups)[number];

/**
 * A fit as ArviZ's InferenceData: one `Dataset` per group, keyed by ArviZ's group names.
 *
 * @example
 * const idata = toInferenceData(mcmc);
 * idata.posterior?.variables.mu.dims; // ["chain", "draw"]
 */
export type InferenceData = { [G in InferenceDataGroup]?: Dataset } & {
  [group: string]: Dataset | undefined;
};

/** Groups whose variables lead with the dimensions (chain, draw). */
export const sampledGroups: ReadonlySet<string> = new Set([
  "posterior",
  "posterior_predictive",
  "predictions",
  "log_likelihood",
  "sample_stats",
  "prior",
  "prior_predictive",
  "sample_stats_prior",
]);

/** True when `value` looks like an InferenceData (an object of datasets). */
export function isInferenceData(value: unknown): value is InferenceData {
  if (value === null || typeof value !== "object") return false;
  const entries = Object.values(value as Record<string, unknown>);
  return (
    entries.length > 0 &&
    entries.every(
      (g) =>
        g === undefined ||
        (g !== null &&
          typeof g === "object" &&
          typeof (g as Dataset).variables === "object" &&
          typeof (g as Dataset).coords === "object"),
    )
  );
}
