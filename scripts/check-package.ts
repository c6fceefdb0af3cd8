/**
 * Checks the package as a user gets it: packs the tarball (`npm pack`, which builds), installs
 * it into a fresh project, and there
 *
 * - checks that installing ran and announced no script of Tyche's (npm warns about install-time
 *   scripts such as `prepare`);
 * - typechecks the README quickstart and the guide's code blocks (docs/guide.md, assembled as
 *   `npm run check:guide` does) with `strict`, `skipLibCheck: false` and no `@types/node`,
 *   importing from "tyche";
 * - runs them with plain Node on the compiled JavaScript;
 * - imports every entry point package.json's "exports" names ("tyche", "tyche/infer",
 *   "tyche/kernels", ...) from the installed package, typechecked and run, and checks that
 *   importing sets no tfjs backend;
 * - throws an error inside Tyche and checks that the stack trace, through the shipped source
 *   maps, names files that the package contains;
 * - checks that the package holds the chain workers' bundle (dist/infer/mcmc/chain-worker.bundle.js,
 *   built by `npm run build`), that it loads with plain Node, and that chains in worker threads,
 *   which start from it, give the same draws as chains in the main thread.
 *
 * Needs the npm registry for the package's dependencies (`--prefer-offline` takes them from
 * npm's cache when it has them). Takes one to three minutes, most of it building and installing.
 *
 *     npm run check:package [-- --keep]     (--keep leaves the fresh project in place)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assemble, runnableBlocks } from "./check-guide.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const failures: string[] = [];

function step(title: string): void {
  console.log(`\ncheck-package: ${title}`);
}

/** Runs a command, echoing its output; returns the output, and records a failure on a bad exit. */
function run(command: string, args: string[], cwd: string, what: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  process.stdout.write(output);
  if (result.status !== 0) failures.push(`${what} failed (exit ${result.status ?? result.signal})`);
  return output;
}

/** The README's quickstart block, as a user copies it. */
function quickstart(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = readme.split("## Quickstart")[1]?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (block === undefined)
    throw new Error("check-package: README.md has no ```ts block under ## Quickstart");
  return block;
}

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const project = mkdtempSync(join(tmpdir(), "tyche-package-"));
try {
  step("npm pack (builds first)");
  run("npm", ["pack", "--pack-destination", project, "--loglevel=warn"], root, "npm pack");
  const tarball = join(project, `${manifest.name}-${manifest.version}.tgz`);
  if (!existsSync(tarball)) throw new Error(`check-package: npm pack made no ${tarball}`);

  step(`npm install the tarball into a fresh project (${project})`);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "fresh-project", private: true, type: "module" }, null, 2),
  );
  const installed = run(
    "npm",
    ["install", tarball, "fast-check", "--no-audit", "--no-fund", "--prefer-offline"],
    project,
    "npm install",
  );
  if (/install-scripts|\bprepare\b|\bpostinstall\b/.test(installed)) {
    failures.push("npm install announced an install-time script of the package (see above)");
  }
  const shipped = JSON.parse(
    readFileSync(join(project, "node_modules", manifest.name, "package.json"), "utf8"),
  );
  for (const script of ["preinstall", "install", "postinstall", "prepare"]) {
    if (shipped.scripts?.[script] !== undefined) {
      failures.push(`the package has a "${script}" script, which runs (or warns) at install`);
    }
  }

  step("the chain workers' bundle");
  const bundle = join(
    project,
    "node_modules",
    manifest.name,
    "dist/infer/mcmc/chain-worker.bundle.js",
  );
  if (!existsSync(bundle)) {
    failures.push("the package lacks dist/infer/mcmc/chain-worker.bundle.js (npm run build)");
  } else {
    run(
      process.execPath,
      ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(bundle).href)});`],
      project,
      "loading the chain workers' bundle",
    );
  }
  writeFileSync(
    join(project, "workers.mjs"),
    [
      'import { MCMC, NUTS, Normal, PRNGKey, sample } from "tyche";',
      'function* model() { yield* sample("x", Normal(0, 1)); }',
      "const draws = [];",
      'for (const chainMethod of ["parallel", "sequential"]) {',
      "  const mcmc = new MCMC(new NUTS(model), { numWarmup: 50, numSamples: 50, numChains: 2, chainMethod, progressBar: false });",
      "  await mcmc.run(PRNGKey(3));",
      "  draws.push(Array.from(mcmc.getSamples().x.data).join());",
      "}",
      "const count = draws[0].split(',').length;",
      'console.log("workers:", count, "draws, the same as in the main thread:", draws[0] === draws[1]);',
    ].join("\n"),
  );
  const workers = run(process.execPath, ["workers.mjs"], project, "chains in worker threads");
  if (!/workers: 100 draws, the same as in the main thread: true/.test(workers)) {
    failures.push("chains in worker threads did not give the main thread's draws (see above)");
  }

  step(
    "typecheck the README quickstart and the guide (strict, skipLibCheck: false, no @types/node)",
  );
  writeFileSync(join(project, "quickstart.ts"), quickstart());
  writeFileSync(
    join(project, "guide.ts"),
    assemble(runnableBlocks(readFileSync(join(root, "docs/guide.md"), "utf8")), true),
  );
  writeFileSync(
    join(project, "stack.ts"),
    [
      'import { Normal, sample, seed, trace } from "tyche";',
      'function* model() { yield* sample("x", Normal(0, -1)); }',
      "try { trace(seed(model, 0)).getTrace(); } catch (error) { console.log((error as Error).stack); }",
    ].join("\n"),
  );
  const subpaths = Object.keys(manifest.exports).map((key: string) =>
    key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`,
  );
  writeFileSync(
    join(project, "subpaths.ts"),
    [
      ...subpaths.map((path: string, i: number) => `import * as entry${i} from "${path}";`),
      // Not tfjs's getBackend(), which would pick a backend itself.
      'import { engine } from "@tensorflow/tfjs-core";',
      'console.log("backend after import: " + (engine().backendName ?? "none"));',
      ...subpaths.map(
        (path: string, i: number) =>
          `console.log(\`entry ${path}: \${Object.keys(entry${i}).length} names\`);`,
      ),
    ].join("\n"),
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "DOM"],
          strict: true,
          skipLibCheck: false,
          types: [],
          outDir: "js",
        },
        include: ["quickstart.ts", "guide.ts", "stack.ts", "subpaths.ts"],
      },
      null,
      2,
    ),
  );
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], project, "tsc");

  if (existsSync(join(project, "js/quickstart.js"))) {
    step("run the README quickstart");
    const printed = run(process.execPath, ["js/quickstart.js"], project, "the quickstart");
    if (!/^mu\s+-?\d/m.test(printed) || !/divergences/i.test(printed)) {
      failures.push("the quickstart printed no summary with mu and the divergences");
    }
    step("import every entry point");
    const entries = run(process.execPath, ["js/subpaths.js"], project, "the entry points");
    for (const path of subpaths) {
      if (!new RegExp(`^entry ${path}: [1-9]\\d* names$`, "m").test(entries)) {
        failures.push(`importing "${path}" from the installed package gave no names`);
      }
    }
    if (!/^backend after import: none$/m.test(entries)) {
      failures.push("importing the package set a tfjs backend (it should wait for first use)");
    }

    step("run the guide");
    mkdirSync(join(project, "out"), { recursive: true });
    run(process.execPath, ["js/guide.js"], project, "the guide");

    step("stack traces through the shipped source maps");
    const stack = run(process.execPath, ["--enable-source-maps", "js/stack.js"], project, "stack");
    const frames = [
      ...stack.matchAll(/\((?:file:\/\/)?([^()\s]*node_modules\/tyche\/[^():]+):\d+:\d+\)/g),
    ].map((m) => m[1]);
    if (!frames.some((f) => f.endsWith(".ts"))) {
      failures.push("no stack frame inside Tyche was mapped to its TypeScript source");
    }
    for (const file of new Set(frames)) {
      if (!existsSync(file)) failures.push(`a stack frame names ${file}, which the package lacks`);
    }
  }
} finally {
  if (keep) console.log(`\ncheck-package: the fresh project is kept in ${project}`);
  else rmSync(project, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck-package: ${failures.length} problem(s):`);
  for (const f of failures) console.error(`  - ${f}`);
  process.exitCode = 1;
} else {
  console.log("\ncheck-package: the packed tarball installs quietly, typechecks and runs");
}
