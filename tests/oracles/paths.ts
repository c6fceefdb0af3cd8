/**
 * Where the oracle files vendored into this repository live (see README.md beside this file).
 * Tests read their expected values from here, never from outside the repository.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The absolute path of this folder. */
export const oraclesDir = dirname(fileURLToPath(import.meta.url));

/** The absolute path of an oracle file, given relative to tests/oracles. */
export const oraclePath = (relative: string): string => resolve(oraclesDir, relative);

/** An oracle JSON file, parsed. */
export const readOracle = <T = any>(relative: string): T =>
  JSON.parse(readFileSync(oraclePath(relative), "utf8")) as T;
