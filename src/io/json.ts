/**
 * An exact JSON form of an `McmcRun`: every float64 survives a write-read round trip bit for
 * bit. Finite numbers are written by `JSON.stringify` (the shortest decimal that reads back
 * as the same double); the values JSON has no number for are written as the strings "NaN",
 * "Infinity", "-Infinity" and "-0".
 *
 *   { "format": "tyche.mcmc", "version": 1, "metadata": {...},
 *     "samples": { "theta": { "shape": [4, 1000, 8], "data": [...] } }, "extra": {...} }
 */
import { ArgumentError } from "../errors.js";
import type { Draws } from "../infer/draws.js";
import { checkDraws, type McmcRun, type McmcRunSource, resolveRun } from "./samples.js";

const format = "tyche.mcmc";
const version = 1;

const specialText = new Map<string, number>([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
  ["-0", -0],
]);

function encodeNumber(x: number): number | string {
  if (Number.isFinite(x)) return Object.is(x, -0) ? "-0" : x;
  return String(x);
}

/**
 * Writes `run` as JSON to `path` (creating the folder) and returns the path.
 *
 * @example
 * await toJSON(run, "out/eight_schools.json");
 */
export async function toJSON(source: McmcRun | McmcRunSource, path: string): Promise<string> {
  const text = formatJSON(resolveRun(source));
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

/**
 * Reads a run written by `toJSON`.
 *
 * @example
 * const run = await readJSON("out/eight_schools.json");
 */
export async function readJSON(path: string): Promise<McmcRun> {
  const { readFile } = await import("node:fs/promises");
  return parseJSON(await readFile(path, "utf8"), path);
}

/**
 * The JSON text of a run (what `toJSON` writes).
 *
 * @example
 * const text = formatJSON(run);
 */
export function formatJSON(run: McmcRun): string {
  const encodeAll = (record: Record<string, Draws>, group: string) =>
    Object.fromEntries(
      Object.entries(record).map(([name, draws]) => {
        checkDraws(draws, `${group}.${name}`, "toJSON");
        return [name, { shape: draws.shape, data: Array.from(draws.data, encodeNumber) }];
      }),
    );
  const document = {
    format,
    version,
    metadata: run.metadata,
    samples: encodeAll(run.samples, "samples"),
    extra: encodeAll(run.extra, "extra"),
  };
  return JSON.stringify(document, (_key, value) =>
    typeof value === "number" ? encodeNumber(value) : value,
  );
}

/**
 * Parses the JSON text of a run; `source` names it in error messages.
 *
 * @example
 * const back = parseJSON(formatJSON(run));
 */
export function parseJSON(text: string, source = "JSON text"): McmcRun {
  const document = JSON.parse(text, (key, value) =>
    typeof value === "string" && key !== "model" && specialText.has(value)
      ? specialText.get(value)
      : value,
  );
  if (document?.format !== format) {
    throw new ArgumentError({
      api: "readJSON",
      argument: "path",
      message: `readJSON: ${source} must be a Tyche MCMC JSON file (format "${format}"), got format ${JSON.stringify(document?.format)}`,
    });
  }
  const decodeAll = (record: Record<string, { shape: number[]; data: number[] }>, group: string) =>
    Object.fromEntries(
      Object.entries(record ?? {}).map(([name, value]) => {
        const draws = { shape: value.shape, data: Float64Array.from(value.data) };
        checkDraws(draws, `${group}.${name}`, "readJSON");
        return [name, draws];
      }),
    );
  return {
    samples: decodeAll(document.samples, "samples"),
    extra: decodeAll(document.extra, "extra"),
    metadata: document.metadata,
  };
}
