/**
 * Layers point one way: no module under src/ imports from a layer above its own (type-only
 * imports included; an import is a dependency whether or not it survives compilation). From
 * the bottom:
 *
 * 1. core: errors, tf set-up, tf-exact, shapes and other utilities, the GradientTarget type,
 *    the counter-based PRNG, tfjs kernels and gradients, progress bars;
 * 2. ops: custom ops with their derivative rules and the special functions (custom-vjp);
 * 3. model: distributions, primitives, handlers (they use each other: a distribution samples
 *    with primitives' keys, `sample` takes a distribution);
 * 4. compile: the compiled float64 engine;
 * 5. infer: potentials, MCMC and its kernels, SVI, enumeration, diagnostics;
 * 6. tools: io (exports, ArviZ, LOO, plots) and testing;
 * 7. the package root, src/index.ts.
 *
 * Within a layer, imports go any way. The few known exceptions are listed with their reason.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");

/** Layers from the bottom; a path belongs to the layer of its longest matching prefix. */
const LAYERS: readonly (readonly string[])[] = [
  [
    "errors.ts",
    "tf.ts",
    "tf-exact.ts",
    "version.ts",
    "potential-types.ts",
    "util/",
    "gradients/",
    "kernels/",
    "vendor/",
    "progress/",
    "primitives/prng.ts",
  ],
  ["custom-vjp/"],
  ["dist/", "primitives/", "handlers/"],
  ["compile/"],
  ["infer/"],
  ["io/", "testing/"],
  ["index.ts"],
];
const LAYER_NAMES = ["core", "ops", "model", "compile", "infer", "tools", "root"];

/** Imports that still point up, as `from -> to` (paths under src/), with the reason. */
const KNOWN_EXCEPTIONS: Record<string, string> = {};

/** The layer of a path under src/ (forward slashes). */
function layerOf(path: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((prefixes, layer) => {
    for (const prefix of prefixes) {
      const matches = prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix;
      if (matches && prefix.length > bestLength) {
        best = layer;
        bestLength = prefix.length;
      }
    }
  });
  return best;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return entry.endsWith(".ts") ? [path] : [];
  });
}

/** The relative module specifiers a file imports or re-exports, statically or dynamically. */
function importsOf(text: string): string[] {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of withoutComments.matchAll(pattern)) specifiers.push(match[1]);
  }
  return specifiers.filter((s) => s.startsWith("."));
}

const files = sourceFiles(src).map((path) => relative(src, path).replaceAll("\\", "/"));

describe("layers", () => {
  it("places every file under src/ in a layer", () => {
    const unplaced = files.filter((file) => layerOf(file) < 0);
    expect(unplaced).toEqual([]);
  });

  it("has no import from a lower layer into a higher one", () => {
    const violations: string[] = [];
    const seenExceptions = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(src, file), "utf8");
      for (const specifier of importsOf(text)) {
        const target = relative(src, resolve(dirname(join(src, file)), specifier))
          .replaceAll("\\", "/")
          .replace(/\.js$/, ".ts");
        if (target.startsWith("..")) continue;
        const from = layerOf(file);
        const to = layerOf(target);
        if (to <= from) continue;
        const edge = `${file} -> ${target}`;
        if (KNOWN_EXCEPTIONS[edge] !== undefined) {
          seenExceptions.add(edge);
          continue;
        }
        violations.push(`${edge} (${LAYER_NAMES[from]} imports ${LAYER_NAMES[to]})`);
      }
    }
    expect(violations).toEqual([]);
    // An exception that no longer occurs is removed from the list.
    expect([...seenExceptions].sort()).toEqual(Object.keys(KNOWN_EXCEPTIONS).sort());
  });

  it("catches an upward import (the check can fail)", () => {
    const specifiers = importsOf('import type { McmcRun } from "../../io/samples.js";');
    const target = relative(src, resolve(join(src, "infer/mcmc"), specifiers[0])).replace(
      /\.js$/,
      ".ts",
    );
    expect(layerOf(target)).toBeGreaterThan(layerOf("infer/mcmc/mcmc.ts"));
    expect(layerOf("dist/normal.ts")).toBeGreaterThan(layerOf("primitives/prng.ts"));
    expect(layerOf("compile/trace.ts")).toBeLessThan(layerOf("infer/potential.ts"));
  });
});
