/**
 * Saving and loading InferenceData files (Node): a Zarr directory store (`az.from_zarr`,
 * `xr.open_zarr(path, group=...)`) or a JSON file (`az.from_json`).
 */
import { ArgumentError } from "../errors.js";
import type { InferenceData } from "./inference-data.js";
import { formatInferenceDataJSON, parseInferenceDataJSON } from "./inference-data-json.js";
import { readZarrStore, writeZarrStore } from "./inference-data-zarr.js";

/** The file formats of `writeInferenceData` and `readInferenceData`. */
export type InferenceDataFormat = "zarr" | "json";

/**
 * Writes `idata` to `path` and returns the path. Zarr replaces a Zarr store already at `path`
 * (as ArviZ's `to_zarr` does) and refuses to overwrite anything else.
 *
 * @example
 * await writeInferenceData("out/eight_schools.zarr", idata, { format: "zarr" });
 * await writeInferenceData("out/eight_schools.json", idata, { format: "json" });
 */
export async function writeInferenceData(
  path: string,
  idata: InferenceData,
  options: { format: InferenceDataFormat },
): Promise<string> {
  const { mkdir, readdir, rm, stat, writeFile } = await import("node:fs/promises");
  const { dirname, join } = await import("node:path");
  if (options?.format === "json") {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatInferenceDataJSON(idata));
    return path;
  }
  if (options?.format !== "zarr") {
    throw new ArgumentError({
      api: "writeInferenceData",
      argument: "format",
      message: `writeInferenceData: format must be "zarr" or "json", got ${JSON.stringify(options?.format)}`,
    });
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined) {
    const entries = existing.isDirectory() ? await readdir(path) : undefined;
    if (entries === undefined || (entries.length > 0 && !entries.includes(".zgroup"))) {
      throw new ArgumentError({
        api: "writeInferenceData",
        argument: "path",
        message: `writeInferenceData: ${path} exists and is not a Zarr store; not overwriting it`,
      });
    }
    await Promise.all(entries.map((entry) => rm(join(path, entry), { recursive: true })));
  }
  const { default: FileSystemStore } = await import("@zarrita/storage/fs");
  await writeZarrStore(new FileSystemStore(path), idata);
  return path;
}

/**
 * Reads InferenceData written by `writeInferenceData` (or by ArviZ's `to_zarr` / `to_json`).
 * The format is "zarr" for a directory and "json" for a file unless given.
 *
 * @example
 * const idata = await readInferenceData("out/eight_schools.zarr");
 * idata.posterior?.variables.mu.shape; // [4, 1000]
 */
export async function readInferenceData(
  path: string,
  options: { format?: InferenceDataFormat } = {},
): Promise<InferenceData> {
  const { readFile, stat } = await import("node:fs/promises");
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new ArgumentError({
      api: "readInferenceData",
      argument: "path",
      message: `readInferenceData: no file or directory at ${path}`,
    });
  }
  const format = options.format ?? (info.isDirectory() ? "zarr" : "json");
  if (format === "json") return parseInferenceDataJSON(await readFile(path, "utf8"), path);
  const { default: FileSystemStore } = await import("@zarrita/storage/fs");
  return readZarrStore(new FileSystemStore(path));
}
