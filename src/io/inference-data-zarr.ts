/**
 * InferenceData as a Zarr store in the layout of ArviZ's `InferenceData.to_zarr`: a root group
 * holding one Zarr group per InferenceData group, each written as xarray's `Dataset.to_zarr`
 * writes a dataset (one array per variable and per dimension's coordinates, the dimension
 * names in each array's `_ARRAY_DIMENSIONS` attribute, the dataset's attributes on its group).
 *
 * Zarr format 2 (https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html), uncompressed, one
 * chunk per array, with consolidated metadata (`.zmetadata`) at the root and in every group:
 * the format that zarr-python 2 (Debian's python3-zarr 2.13), `xr.open_zarr` and `az.from_zarr`
 * read, and that zarr-python 3 reads too. The chunks are encoded and decoded by zarrita; the
 * version 2 metadata documents, which zarrita reads but does not create, are written here.
 */
import type { AsyncMutable, AsyncReadable } from "@zarrita/storage";
import * as zarr from "zarrita";
import { ArgumentError } from "../errors.js";
import { sizeOf, stridesOf } from "../util/shapes.js";
import type {
  CoordValues,
  Dataset,
  DataType,
  DataVariable,
  InferenceData,
} from "./inference-data.js";
import { inferenceDataGroups } from "./inference-data.js";

type Json = Record<string, unknown>;

/**
 * A Zarr store to read: anything with `get(key)` returning the key's bytes or `undefined`,
 * at once or as a promise (zarrita's `FileSystemStore` and `FetchStore`, a `Map`). Declared
 * here rather than taken from `@zarrita/storage`, whose declarations do not typecheck under
 * `skipLibCheck: false` with NodeNext resolution, so that Tyche's own do.
 *
 * @example
 * const store: ZarrReadableStore = new Map<string, Uint8Array>();
 */
export interface ZarrReadableStore {
  get(key: `/${string}`): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/**
 * A Zarr store to write: a {@link ZarrReadableStore} that also has `set(key, bytes)`
 * (zarrita's `FileSystemStore`, a `Map`).
 *
 * @example
 * const store: ZarrMutableStore = new Map<string, Uint8Array>();
 */
export interface ZarrMutableStore extends ZarrReadableStore {
  set(key: `/${string}`, value: Uint8Array): unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Writes `idata` into a zarrita store (a `FileSystemStore`, or a `Map` in memory).
 *
 * @example
 * const store = new Map<string, Uint8Array>();
 * await writeZarrStore(store, idata);
 * const back = await readZarrStore(store);
 */
export async function writeZarrStore(store: ZarrMutableStore, idata: InferenceData): Promise<void> {
  const all: Json = { ".zgroup": { zarr_format: 2 }, ".zattrs": {} };
  const arrays: { path: string; values: ArrayValues }[] = [];
  for (const [group, dataset] of orderedGroups(idata)) {
    const own: Json = {
      ".zgroup": { zarr_format: 2 },
      ".zattrs": { ...dataset.attrs },
    };
    const entries: [string, ArrayValues][] = [
      ...Object.entries(dataset.coords).map(([dim, values]): [string, ArrayValues] => [
        dim,
        coordValues(dim, values),
      ]),
      ...Object.entries(dataset.variables).map(([name, v]): [string, ArrayValues] => [
        name,
        variableValues(v),
      ]),
    ];
    for (const [name, values] of entries) {
      if (name.includes("/") || name.startsWith(".")) {
        throw new ArgumentError({
          api: "writeInferenceData",
          argument: `${group}.${name}`,
          message: `writeInferenceData: "${name}" in ${group} cannot name a Zarr array (no "/" and no leading ".")`,
        });
      }
      if (name in dataset.coords && name in dataset.variables) {
        throw new ArgumentError({
          api: "writeInferenceData",
          argument: `${group}.${name}`,
          message: `writeInferenceData: "${name}" in ${group} is both a variable and a dimension`,
        });
      }
      own[`${name}/.zarray`] = {
        zarr_format: 2,
        shape: values.shape,
        chunks: values.shape.map((d) => Math.max(1, d)),
        dtype: values.dtype,
        compressor: null,
        fill_value: null,
        filters: null,
        order: "C",
      };
      own[`${name}/.zattrs`] = { _ARRAY_DIMENSIONS: values.dims };
      arrays.push({ path: `${group}/${name}`, values });
    }
    for (const [key, value] of Object.entries(own)) {
      all[`${group}/${key}`] = value;
      await store.set(`/${group}/${key}`, json(value));
    }
    await store.set(`/${group}/.zmetadata`, json({ metadata: own, zarr_consolidated_format: 1 }));
  }
  await store.set("/.zgroup", json(all[".zgroup"]));
  await store.set("/.zattrs", json(all[".zattrs"]));
  await store.set("/.zmetadata", json({ metadata: all, zarr_consolidated_format: 1 }));
  const root = zarr.root(store as AsyncMutable);
  for (const { path, values } of arrays) {
    if (sizeOf(values.shape) === 0) continue;
    const array = await zarr.open.v2(root.resolve(path), { kind: "array" });
    // The array's data type is known only at run time; `values.data` was made to match it.
    await zarr.set(array, null, {
      data: values.data,
      shape: values.shape,
      stride: stridesOf(values.shape),
    } as never);
  }
}

/**
 * Reads an InferenceData from a zarrita store with consolidated metadata at its root (what
 * `writeZarrStore`, `InferenceData.to_zarr` and xarray write).
 *
 * @example
 * const store = new Map<string, Uint8Array>();
 * await writeZarrStore(store, idata);
 * const back = await readZarrStore(new Map(store.entries()));
 */
export async function readZarrStore(store: ZarrReadableStore): Promise<InferenceData> {
  const bytes = await store.get("/.zmetadata");
  if (bytes === undefined) {
    throw new ArgumentError({
      api: "readInferenceData",
      argument: "path",
      message:
        "readInferenceData: the Zarr store has no consolidated metadata (.zmetadata) at its root; write it with writeInferenceData, InferenceData.to_zarr or xarray's to_zarr",
    });
  }
  const metadata = (JSON.parse(decoder.decode(bytes)) as { metadata: Json }).metadata;
  const groups = new Map<string, { arrays: string[] }>();
  for (const key of Object.keys(metadata)) {
    const m = /^([^/]+)\/([^/]+)\/\.zarray$/.exec(key);
    if (m !== null) {
      const entry = groups.get(m[1]) ?? { arrays: [] };
      entry.arrays.push(m[2]);
      groups.set(m[1], entry);
    } else if (/^[^/]+\/\.zgroup$/.test(key)) {
      const name = key.slice(0, -".zgroup".length - 1);
      if (!groups.has(name)) groups.set(name, { arrays: [] });
    }
  }
  const root = zarr.root(store as AsyncReadable);
  const idata: InferenceData = {};
  for (const [group, { arrays }] of groups) {
    const dataset: Dataset = {
      variables: {},
      coords: {},
      attrs: (metadata[`${group}/.zattrs`] ?? {}) as Dataset["attrs"],
    };
    for (const name of arrays) {
      const attrs = (metadata[`${group}/${name}/.zattrs`] ?? {}) as Json;
      const zarray = metadata[`${group}/${name}/.zarray`] as { shape: number[]; dtype: string };
      const dims = attrs._ARRAY_DIMENSIONS as string[] | undefined;
      if (!Array.isArray(dims) || dims.length !== zarray.shape.length) {
        throw new ArgumentError({
          api: "readInferenceData",
          argument: "path",
          message: `readInferenceData: array "${group}/${name}" has no _ARRAY_DIMENSIONS attribute naming its ${zarray.shape.length} dimensions (not written by xarray or Tyche)`,
        });
      }
      const array = await zarr.open.v2(root.resolve(`${group}/${name}`), { kind: "array" });
      const chunk =
        sizeOf(zarray.shape) === 0 ? { data: [] as unknown[] } : await zarr.get(array, null);
      const raw = chunk.data as ArrayLike<unknown> & Iterable<unknown>;
      if (dims.length === 1 && dims[0] === name) {
        dataset.coords[name] = readCoord(raw);
      } else {
        // xarray stores booleans as int8 with a `dtype: "bool"` attribute.
        const dtype = attrs.dtype === "bool" ? "bool" : dataTypeOf(zarray.dtype);
        dataset.variables[name] = {
          dims,
          shape: zarray.shape.slice(),
          dtype,
          data: Float64Array.from(raw as Iterable<unknown>, Number),
        };
      }
    }
    idata[group] = dataset;
  }
  return idata;
}

interface ArrayValues {
  dims: string[];
  shape: number[];
  dtype: string;
  data: unknown;
}

function variableValues(v: DataVariable): ArrayValues {
  const base = { dims: v.dims, shape: v.shape };
  switch (v.dtype) {
    case "int64":
      return { ...base, dtype: "<i8", data: BigInt64Array.from(v.data, (x) => BigInt(x)) };
    case "bool":
      return {
        ...base,
        dtype: "|b1",
        data: new zarr.BoolArray(Uint8Array.from(v.data, (x) => (x !== 0 ? 1 : 0)).buffer),
      };
    default:
      return { ...base, dtype: "<f8", data: v.data };
  }
}

function coordValues(dim: string, values: CoordValues): ArrayValues {
  const base = { dims: [dim], shape: [values.length] };
  if (values.every((v) => typeof v === "string")) {
    const strings = values as string[];
    const width = Math.max(1, ...strings.map((s) => [...s].length));
    return { ...base, dtype: `<U${width}`, data: new zarr.UnicodeStringArray(width, strings) };
  }
  const numbers = values as number[];
  if (numbers.every((v) => Number.isSafeInteger(v)))
    return { ...base, dtype: "<i8", data: BigInt64Array.from(numbers, (x) => BigInt(x)) };
  return { ...base, dtype: "<f8", data: Float64Array.from(numbers) };
}

function readCoord(raw: Iterable<unknown>): CoordValues {
  const values = Array.from(raw);
  if (values.every((v) => typeof v === "string")) return values as string[];
  return values.map(Number);
}

function dataTypeOf(dtype: string): DataType {
  if (/^[<>|]?b1$|^bool$/.test(dtype)) return "bool";
  if (/^[<>|]?[iu]\d$|^u?int\d+$/.test(dtype)) return "int64";
  return "float64";
}

function orderedGroups(idata: InferenceData): [string, Dataset][] {
  const known = inferenceDataGroups.filter((g) => idata[g] !== undefined);
  const other = Object.keys(idata).filter(
    (g) => idata[g] !== undefined && !(inferenceDataGroups as readonly string[]).includes(g),
  );
  return [...known, ...other].map((g) => [g, idata[g] as Dataset]);
}

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}
