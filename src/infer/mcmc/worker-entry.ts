/**
 * What a chain worker thread starts from. Loading the library's TypeScript sources through tsx
 * costs seconds per thread; a single JavaScript bundle of the worker (chain-worker.ts, the
 * library code it runs and its dependencies) loads in a fraction of that: Node resolves and
 * reads one file rather than hundreds (10 s or more through tsx). The worker needs no tfjs (it
 * runs the compiled float64 potential and the built-in ops' float64 rules), and the bundle has
 * none: tfjs alone took ~0.3 s of each worker's start (tests/infer/worker-bundle.test.ts).
 *
 * - From the built package (dist): `npm run build` writes the bundle beside this module
 *   (`chain-worker.bundle.js`).
 * - From the TypeScript sources (tests, benchmarks, scripts run with tsx): the bundle is built
 *   with esbuild on first use and cached in `node_modules/.cache/tyche`, under a hash of the
 *   sources, so that an edited source gets a fresh bundle. The cache file is written under a
 *   temporary name and renamed into place, so a reader (another process building at the same
 *   time) never sees a partial file; in one process concurrent callers share one build.
 *
 * Modules listed in `workerImports` (custom ops) must register into the same copy of the
 * library as the worker's chain code, so a pool with such imports starts from the library's
 * own module files instead: dist's chain-worker.js, or the TypeScript sources through tsx.
 * Where no bundle can be had (no esbuild, a read-only cache), the worker falls back to that too.
 */

/** How to start a worker: a script file, or source code to evaluate. */
export type WorkerEntry =
  | { readonly kind: "file"; readonly url: URL }
  | { readonly kind: "eval"; readonly source: string };

const here = import.meta.url;
const fromTypeScript = here.endsWith(".ts");

/** The library's root (src/ or dist/), which a worker uses to recognize built-in samplers. */
export const libraryRoot: string = new URL("../../", here).href;

/** The worker's TypeScript source (shipped in the package's src/ beside dist/). */
const sourceEntry = new URL(
  fromTypeScript ? "./chain-worker.ts" : "../../../src/infer/mcmc/chain-worker.ts",
  here,
);

/** The bundle's file name in dist, beside the compiled chain-worker.js. */
export const bundleFileName = "chain-worker.bundle.js";

/** Changes when the bundling options below change, so that cached bundles are rebuilt. */
const bundleFormat = "5";

/**
 * The entry a pool's workers start from: the worker bundle where it can be had, else the
 * library's own modules (always when `imports` are given, see above).
 *
 * @example
 * const entry = await chainWorkerEntry([]);
 * const worker = entry.kind === "file" ? new Worker(entry.url) : new Worker(entry.source, { eval: true });
 */
export async function chainWorkerEntry(imports: readonly string[]): Promise<WorkerEntry> {
  if (imports.length === 0) {
    const bundle = fromTypeScript
      ? await cachedBundle().catch(() => undefined)
      : await distBundle();
    if (bundle !== undefined) return { kind: "file", url: bundle };
  }
  return moduleEntry();
}

/**
 * Builds the cached worker bundle now, if it is missing (running from the TypeScript sources),
 * so that the first parallel run does not wait for esbuild; `npm ci` runs it in this repository
 * (scripts/prepare-chain-worker.ts). Returns where the bundle is, or undefined without one.
 *
 * @example
 * const bundle = await prepareChainWorkerBundle(); // node_modules/.cache/tyche/chain-worker-<hash>.mjs
 */
export async function prepareChainWorkerBundle(): Promise<URL | undefined> {
  return fromTypeScript ? cachedBundle() : distBundle();
}

/** The library's chain-worker module itself, through tsx's loader when running from TypeScript. */
function moduleEntry(): WorkerEntry {
  if (!fromTypeScript) return { kind: "file", url: new URL("./chain-worker.js", here) };
  const load = `import(${JSON.stringify(new URL("./chain-worker.ts", here).href)})`;
  return {
    kind: "eval",
    source: `import("tsx/esm/api").then((tsx) => { tsx.register(); return ${load}; })`,
  };
}

async function distBundle(): Promise<URL | undefined> {
  const { existsSync } = await import("node:fs");
  const url = new URL(`./${bundleFileName}`, here);
  return existsSync(url) ? url : undefined;
}

/** This process's build of the cached bundle (one per process, shared by every pool). */
let building: Promise<URL> | undefined;

function cachedBundle(): Promise<URL> {
  building ??= buildCachedBundle();
  // A failed build is not remembered: the next pool tries again (and falls back meanwhile).
  building.catch(() => {
    building = undefined;
  });
  return building;
}

async function buildCachedBundle(): Promise<URL> {
  const { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } =
    await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const hash = await sourceHash();
  const cacheDir = new URL("../../../node_modules/.cache/tyche/", here);
  const final = new URL(`chain-worker-${hash}.mjs`, cacheDir);
  if (existsSync(final)) return final;
  mkdirSync(cacheDir, { recursive: true });
  const code = await bundleChainWorker(fileURLToPath(final));
  // Written whole under a name no other process uses, then renamed: rename replaces the target
  // atomically, so a reader sees no file or a complete one (every writer writes the same code).
  const temporary = new URL(
    `chain-worker-${hash}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
    cacheDir,
  );
  writeFileSync(temporary, code);
  renameSync(temporary, final);
  // Bundles of older sources, and temporary files a killed process left, a day old or more.
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(cacheDir)) {
    const file = new URL(name, cacheDir);
    if (!name.startsWith("chain-worker-") || file.href === final.href) continue;
    try {
      if (statSync(file).mtimeMs < dayAgo) rmSync(file, { force: true });
    } catch {
      // Another process removed it first.
    }
  }
  return final;
}

/** SHA-256 of every file under src/ (paths and contents) and of the bundling options. */
async function sourceHash(): Promise<string> {
  const { readdirSync, readFileSync } = await import("node:fs");
  const { createHash } = await import("node:crypto");
  const { fileURLToPath } = await import("node:url");
  const root = fileURLToPath(libraryRoot);
  const hash = createHash("sha256").update(`tyche chain worker ${bundleFormat}\n`);
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).sort();
  for (const file of files) {
    let contents: Buffer;
    try {
      contents = readFileSync(`${root}/${file}`);
    } catch {
      continue; // a directory
    }
    hash.update(`${file}\n`).update(contents);
  }
  return hash.digest("hex").slice(0, 20);
}

/**
 * Bundles the worker (src/infer/mcmc/chain-worker.ts) with esbuild into one ES module for Node; writes it to `outfile` when `write`, and returns its code.
 * `npm run build` calls it for dist, the cache above for the sources.
 *
 * @example
 * await bundleChainWorker("dist/infer/mcmc/chain-worker.bundle.js", { write: true });
 */
export async function bundleChainWorker(
  outfile: string,
  { write = false }: { readonly write?: boolean } = {},
): Promise<string> {
  const { fileURLToPath } = await import("node:url");
  // Named through a variable so that browser bundlers leave this Node-only import alone.
  const esbuildModule = "esbuild";
  const esbuild: typeof import("esbuild") = await import(/* @vite-ignore */ esbuildModule);
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(sourceEntry)],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile,
    write,
    logLevel: "warning",
    banner: {
      js: [
        "// Tyche's chain worker, bundled by esbuild (src/infer/mcmc/worker-entry.ts).",
        // Bundled CommonJS dependencies (@stdlib's) require Node's built-in modules.
        'import { createRequire as __tycheCreateRequire } from "node:module";',
        "const require = __tycheCreateRequire(import.meta.url);",
      ].join("\n"),
    },
  });
  if (write) {
    const { readFileSync } = await import("node:fs");
    return readFileSync(outfile, "utf8");
  }
  return result.outputFiles?.[0]?.text ?? "";
}
