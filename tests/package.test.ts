/**
 * The package's manifest, as npm reads it at install. The full check (pack, install into a
 * fresh project, typecheck and run the README quickstart and the guide there, stack traces
 * through the shipped source maps) is `npm run check:package`, a step of CI (.ci/run): it
 * needs the registry and a minute, so it is not part of `npm test`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const buildConfig = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8"));

describe("package.json", () => {
  it("has no script that npm runs (or warns about) when the package is installed", () => {
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) {
      expect(manifest.scripts[script], script).toBeUndefined();
    }
  });

  it("builds the tfjs gradient bundle into dist (shipped) and, for the repository, at npm ci (with the chain worker's bundle)", () => {
    expect(manifest.scripts.build).toMatch(
      /bundle-tfjs-gradients\.mjs dist\/vendor\/tfjs-gradients\.js/,
    );
    // `dependencies` is npm's lifecycle script for the project itself, never run for a dependency.
    expect(manifest.scripts.dependencies).toMatch(
      /^node scripts\/bundle-tfjs-gradients\.mjs && tsx scripts\/prepare-chain-worker\.ts$/,
    );
    expect(manifest.scripts.prepack).toBe("npm run build");
  });

  it("ships the sources its source maps name", () => {
    expect(buildConfig.compilerOptions.rootDir).toBe("src");
    expect(manifest.files).toContain("dist");
    expect(manifest.files).toContain("src");
  });

  it("exports the root and the subpaths tyche/infer, kernels, compile, io and testing", () => {
    expect(Object.keys(manifest.exports).sort()).toEqual(
      [".", "./compile", "./infer", "./io", "./kernels", "./testing"].sort(),
    );
    for (const [subpath, target] of Object.entries<Record<string, string>>(manifest.exports)) {
      expect(Object.keys(target), subpath).toEqual(["types", "import"]);
      expect(target.import, subpath).toMatch(/^\.\/dist\/.*\.js$/);
      expect(target.types, subpath).toBe(target.import.replace(/\.js$/, ".d.ts"));
      // tsconfig.build.json compiles src/ into dist/, so the entry's source must be there.
      const source = target.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts");
      expect(existsSync(join(root, source)), `${subpath}: ${source}`).toBe(true);
    }
  });

  it("keeps internals out of the root", async () => {
    const rootExports = await import("../src/index.js");
    for (const internal of [
      "threefry2x32",
      "applyDefault",
      "FlatLayout",
      "driveChain",
      "testing",
    ]) {
      expect(internal in rootExports, internal).toBe(false);
    }
    const kernels = await import("../src/infer/kernels.js");
    expect("threefry2x32" in kernels && "FlatLayout" in kernels && "nutsAlgorithm" in kernels).toBe(
      true,
    );
  });

  it("is checked as a packed tarball in CI", () => {
    expect(readFileSync(join(root, ".ci/run"), "utf8")).toMatch(/^npm run check:package$/m);
    expect(manifest.scripts["check:package"]).toBe("tsx scripts/check-package.ts");
  });
});
