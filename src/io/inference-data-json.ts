/**
 * InferenceData as the JSON that `az.from_json` reads: the keyword arguments of `az.from_dict`,
 * as ArviZ's `InferenceData.to_json` writes them.
 *
 *   { "posterior": { "mu": [[...draws of chain 0...], ...] }, "posterior_attrs": {...},
 *     "sample_stats": {...}, "log_likelihood": {...}, "observed_data": { "y": [...] }, ...,
 *     "coords": { "school": ["A", ...] }, "dims": { "theta": ["school"] }, "attrs": {} }
 *
 * Variables are nested lists, (chain, draw) first in sampled groups. Only dimensions with a
 * name of their own appear in `dims` (with their labels in `coords`); `from_dict` names the
 * others `<variable>_dim_<k>` and numbers them from 0. Floats are written with a decimal
 * point and integers and booleans without, so that NumPy gives each variable its dtype back;
 * NaN and the infinities are written as Python's `json` writes and reads them (`NaN`,
 * `Infinity`, `-Infinity`), and finite numbers in the shortest form that reads back exactly.
 */
import { ArgumentError } from "../errors.js";
import { flatten, type NestedNumbers } from "../tf.js";
import type { CoordValues, Dataset, DataType, InferenceData } from "./inference-data.js";
import { inferenceDataGroups, sampledGroups } from "./inference-data.js";

const predictionGroups = new Set(["predictions", "predictions_constant_data"]);
/** Variables ArviZ's converters store as integers (read back as int64). */
const integerStats = new Set(["tree_depth", "n_steps", "depth"]);

/**
 * The JSON text of `idata` in `az.from_json`'s layout.
 *
 * @example
 * const text = formatInferenceDataJSON(toInferenceData(mcmc));
 */
export function formatInferenceDataJSON(idata: InferenceData): string {
  const parts: string[] = [];
  const coords: Record<string, CoordValues> = {};
  const dimsOf: Record<"dims" | "pred_dims", Record<string, string[]>> = {
    dims: {},
    pred_dims: {},
  };
  for (const group of Object.keys(idata)) {
    if (idata[group] !== undefined && !(inferenceDataGroups as readonly string[]).includes(group)) {
      throw new ArgumentError({
        api: "writeInferenceData",
        argument: "idata",
        message: `writeInferenceData: group "${group}" is not one that az.from_json reads (${inferenceDataGroups.join(", ")}); write it as Zarr instead`,
      });
    }
  }
  for (const group of inferenceDataGroups) {
    const dataset = idata[group];
    if (dataset === undefined) continue;
    const lead = sampledGroups.has(group) ? 2 : 0;
    const vars: string[] = [];
    for (const [name, v] of Object.entries(dataset.variables)) {
      vars.push(`${JSON.stringify(name)}:${nestedText(v.data, v.shape, v.dtype)}`);
      const own = v.dims.slice(lead);
      // to_dict's rule: a dimension is listed unless it is chain, draw or <name>_dim_<k>.
      const named = own.filter((d) => !d.startsWith(`${name}_dim_`));
      own.forEach((dim) => {
        const values = dataset.coords[dim];
        if (values === undefined) return;
        const isDefault = values.every((value, i) => value === i);
        if (dim.startsWith(`${name}_dim_`) && isDefault) return;
        const known = coords[dim];
        if (known !== undefined && JSON.stringify(known) !== JSON.stringify(values)) {
          throw conflict(`coordinates of dimension "${dim}"`, group);
        }
        coords[dim] = values;
      });
      if (named.length > 0) {
        // from_dict reads dims positionally: keep names up to the last named dimension.
        const last = own.findLastIndex((d) => !d.startsWith(`${name}_dim_`));
        const listed = own.slice(0, last + 1);
        const key = predictionGroups.has(group) ? "pred_dims" : "dims";
        const known = dimsOf[key][name];
        if (known !== undefined && known.join("\u0000") !== listed.join("\u0000")) {
          const shorter = known.length <= listed.length ? known : listed;
          const longer = known.length <= listed.length ? listed : known;
          if (!shorter.every((d, i) => d === longer[i])) throw conflict(`dims of "${name}"`, group);
          dimsOf[key][name] = longer;
        } else {
          dimsOf[key][name] = listed;
        }
      }
    }
    parts.push(`${JSON.stringify(group)}:{${vars.join(",")}}`);
    parts.push(`${JSON.stringify(`${group}_attrs`)}:${JSON.stringify(dataset.attrs)}`);
  }
  parts.push(`"coords":${JSON.stringify(coords)}`);
  parts.push(`"dims":${JSON.stringify(dimsOf.dims)}`);
  if (Object.keys(dimsOf.pred_dims).length > 0)
    parts.push(`"pred_dims":${JSON.stringify(dimsOf.pred_dims)}`);
  parts.push(`"attrs":{}`);
  return `{${parts.join(",")}}`;
}

/**
 * Reads JSON in `az.from_json`'s layout (written by `formatInferenceDataJSON` or by ArviZ's
 * `to_json`), with `from_dict`'s rules for dimension names and coordinates. `source` names the
 * text in error messages.
 *
 * @example
 * const back = parseInferenceDataJSON(formatInferenceDataJSON(idata));
 */
export function parseInferenceDataJSON(text: string, source = "JSON text"): InferenceData {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(
      text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (token) =>
        token.startsWith('"') ? token : `"\\u0000${token}"`,
      ),
      (_key, value) =>
        typeof value === "string" && value.startsWith("\u0000") ? Number(value.slice(1)) : value,
    );
  } catch (error) {
    throw new ArgumentError({
      api: "readInferenceData",
      argument: "path",
      message: `readInferenceData: ${source} is not JSON: ${(error as Error).message}`,
    });
  }
  const coords = (document.coords ?? {}) as Record<string, CoordValues>;
  const idata: InferenceData = {};
  for (const group of inferenceDataGroups) {
    const record = document[group] as Record<string, unknown> | undefined;
    if (record === undefined || record === null) continue;
    const lead = sampledGroups.has(group) ? ["chain", "draw"] : [];
    const dimsMap = (document[predictionGroups.has(group) ? "pred_dims" : "dims"] ?? {}) as Record<
      string,
      string[]
    >;
    const attrs = (document[`${group}_attrs`] ??
      (lead.length === 0 ? document.attrs : {}) ??
      {}) as Dataset["attrs"];
    const dataset: Dataset = { variables: {}, coords: {}, attrs: { ...attrs } };
    for (const [name, value] of Object.entries(record)) {
      const { values, shape: rawShape } = flatten(value as NestedNumbers);
      const shape = atLeast(rawShape, lead.length === 2 ? 2 : 1);
      const own = shape.slice(lead.length);
      let given = (dimsMap[name] ?? []).filter((d) => !lead.includes(d));
      if (group === "log_likelihood") {
        // from_dict's skip_event_dims: names past the variable's rank, or whose coordinates
        // have another length, are dropped from there on.
        given = given.slice(0, own.length);
        const bad = given.findIndex(
          (d, k) => coords[d] !== undefined && coords[d].length !== own[k],
        );
        if (bad >= 0) given = given.slice(0, bad);
      }
      const dims = own.map((_, k) => given[k] ?? `${name}_dim_${k}`);
      for (const [k, dim] of [...lead, ...dims].entries()) {
        const size = shape[k];
        const labels = coords[dim] ?? Array.from({ length: size }, (_, i) => i);
        if (labels.length !== size) {
          throw new ArgumentError({
            api: "readInferenceData",
            argument: "path",
            message: `readInferenceData: ${source}: coords of "${dim}" have ${labels.length} values but "${name}" in ${group} has ${size} along it`,
          });
        }
        dataset.coords[dim] ??= labels;
      }
      dataset.variables[name] = {
        dims: [...lead, ...dims],
        shape,
        dtype: dataTypeOf(group, name, value),
        data: values,
      };
    }
    idata[group] = dataset;
  }
  return idata;
}

function conflict(what: string, group: string): ArgumentError {
  return new ArgumentError({
    api: "writeInferenceData",
    argument: "idata",
    message: `writeInferenceData: the ${what} in ${group} differ from another group's; az.from_json keeps one per name, so write this InferenceData as Zarr`,
  });
}

/** NumPy's atleast_1d / atleast_2d: missing leading dimensions become 1. */
function atLeast(shape: number[], rank: number): number[] {
  return shape.length >= rank ? shape : [...new Array(rank - shape.length).fill(1), ...shape];
}

function dataTypeOf(group: string, name: string, value: unknown): DataType {
  let first: unknown = value;
  while (Array.isArray(first)) first = first[0];
  if (typeof first === "boolean") return "bool";
  if (group.startsWith("sample_stats") && integerStats.has(name)) return "int64";
  return "float64";
}

function nestedText(data: Float64Array, shape: number[], dtype: DataType): string {
  const format =
    dtype === "bool"
      ? (x: number) => (x !== 0 ? "true" : "false")
      : dtype === "int64"
        ? (x: number) => String(x)
        : floatText;
  if (shape.length === 0) return format(data[0]);
  const out: string[] = [];
  let offset = 0;
  const walk = (depth: number) => {
    out.push("[");
    for (let i = 0; i < shape[depth]; i++) {
      if (i > 0) out.push(",");
      if (depth === shape.length - 1) out.push(format(data[offset++]));
      else walk(depth + 1);
    }
    out.push("]");
  };
  walk(0);
  return out.join("");
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (Object.is(x, -0)) return "-0.0";
  const text = String(x);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}
