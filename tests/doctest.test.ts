/**
 * Runs every `@example` of the doc comments under src/ (tests/doctest/extract.ts finds them),
 * so that an example that stops working fails the suite. Each example runs in a scope holding
 * every export of the package's entry points ("tyche", "tyche/infer", ...), the shared fixtures
 * of tests/doctest/prelude.ts and every export of the example's own module; an example that is
 * a fragment of a model (a bare `yield*`) runs inside a model traced under a seed. Passing means
 * running to the end without throwing, or, for an example whose comment says `// throws: ...`,
 * throwing; the values in the examples' comments are for readers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { transformSync } from "esbuild";
import { afterEach, beforeAll, describe, it } from "vitest";
import { type Example, examplesOf, prepare, sourceFiles } from "./doctest/extract.js";
import { NOT_RUN } from "./doctest/not-run.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = join(root, "out", "doctest");
mkdirSync(outDir, { recursive: true });

const ENTRIES = [
  "src/testing/index.ts",
  "src/io/index.ts",
  "src/compile/index.ts",
  "src/infer/kernels.ts",
  "src/infer/index.ts",
  "src/index.ts",
  "tests/doctest/prelude.ts",
];

const srcFiles = sourceFiles(join(root, "src"));
const examples = srcFiles.flatMap((file) => examplesOf(root, file));
/**
 * An example's key in NOT_RUN: its file and the name its comment documents (with an ordinal
 * when a name has several examples), which, unlike a line number, survives edits above it.
 */
const keyOf = new Map<Example, string>();
const keyCounts = new Map<string, number>();
for (const example of examples) {
  const base = `${example.file} ${example.name || "(module)"}`;
  const count = (keyCounts.get(base) ?? 0) + 1;
  keyCounts.set(base, count);
  keyOf.set(example, count === 1 ? base : `${base} (${count})`);
}
const byFile = new Map<string, Example[]>();
for (const example of examples) {
  const list = byFile.get(example.file) ?? [];
  list.push(example);
  byFile.set(example.file, list);
}

/** A JavaScript identifier that a `const { ... }` may bind. */
function bindable(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name);
}
const RESERVED = new Set(["default", "arguments", "eval", "then"]);

/** The code of one example as the body of an async function over `scope`. */
function exampleFunction(example: Example, scopeNames: readonly string[]): string {
  const prepared = prepare(example.code);
  const aliases = prepared.aliases.map(([local, name]) => `const ${local} = __scope.${name};`);
  const namespaces = prepared.namespaces.map(
    ([local, source]) => `const ${local} = __scope.__entry(${JSON.stringify(source)});`,
  );
  const inner = prepared.fragment
    ? `function* __fragment() {\n${prepared.body}\n}\n__scope.trace(__scope.seed(__fragment, 0)).getTrace();`
    : prepared.body;
  return `async (__scope) => {
const { ${scopeNames.filter(bindable).join(", ")} } = __scope;
{
${aliases.join("\n")}
${namespaces.join("\n")}
${inner}
}
}`;
}

describe("doc comment examples", () => {
  // Test files share a worker (vitest's `isolate: false`): what an example changes globally
  // must be undone, or later files see it.
  let positiveBijection: unknown;
  beforeAll(async () => {
    const { bijectTo } = await import("../src/dist/biject-to.js");
    const { positive } = await import("../src/dist/constraints.js");
    positiveBijection = bijectTo(positive);
  });
  afterEach(async () => {
    const { tf } = await import("../src/tf.js");
    if (tf.getBackend() !== "cpu") await tf.setBackend("cpu");
    const { setValidation } = await import("../src/dist/validation.js");
    setValidation(true);
    const { bijectTo, registerBijection } = await import("../src/dist/biject-to.js");
    const { positive } = await import("../src/dist/constraints.js");
    if (bijectTo(positive) !== positiveBijection) {
      registerBijection("positive", () => positiveBijection as ReturnType<typeof bijectTo>);
      throw new Error("the example left another bijection registered for positive");
    }
  });

  it("lists as not run only examples that exist", () => {
    const keys = new Set(keyOf.values());
    const stale = Object.keys(NOT_RUN).filter((key) => !keys.has(key));
    if (stale.length > 0) {
      throw new Error(`tests/doctest/not-run.ts names no example: ${stale.join(", ")}`);
    }
  });

  for (const [file, list] of byFile) {
    describe(file, () => {
      for (const example of list) {
        const title = `${example.name || "(module)"} at line ${example.line}`;
        const key = `${file}:${example.line}`;
        const reason = NOT_RUN[keyOf.get(example) as string];
        // DOCTEST_ALL=1 runs the listed examples too, to see which can leave the list.
        if (reason !== undefined && process.env.DOCTEST_ALL === undefined) {
          it.skip(`${title} (not run: ${reason})`, () => {});
          continue;
        }
        it(title, async () => {
          const scope = await scopeFor(file);
          const prepared = prepare(example.code);
          const source = `${prepared.imports.join("\n")}\nexport default ${exampleFunction(example, Object.keys(scope))};\n`;
          let js: string;
          try {
            js = transformSync(source, { loader: "ts", format: "esm", target: "es2022" }).code;
          } catch (error) {
            throw new Error(
              `${key}: the example does not parse\n${(error as Error).message}\n${example.code}`,
            );
          }
          const path = join(outDir, `${file.replaceAll("/", "_")}_${example.line}.mjs`);
          writeFileSync(path, js);
          const module = await import(/* @vite-ignore */ pathToFileURL(path).href);
          const throws = /\/\/\s*throws:/.test(example.code);
          let thrown: unknown;
          try {
            await module.default(scope);
          } catch (error) {
            thrown = error;
          }
          if (throws && thrown === undefined) {
            throw new Error(
              `${key}: the example says it throws, but it ran to the end\n${example.code}`,
            );
          }
          if (!throws && thrown !== undefined) {
            throw new Error(
              `${key}: ${(thrown as Error).message}\n--- example ---\n${example.code}`,
            );
          }
        });
      }
    });
  }
});

const entryModules = new Map<string, Record<string, unknown>>();
async function entry(path: string): Promise<Record<string, unknown>> {
  let module = entryModules.get(path);
  if (module === undefined) {
    module = (await import(/* @vite-ignore */ pathToFileURL(resolve(root, path)).href)) as Record<
      string,
      unknown
    >;
    entryModules.set(path, module);
  }
  return module;
}

/**
 * Every name an example of `file` sees, later ones winning: the exports of the other modules
 * of its folder, the entry points, the prelude, its own module.
 */
async function scopeFor(file: string): Promise<Record<string, unknown>> {
  const scope: Record<string, unknown> = {};
  const folder = dirname(file);
  for (const sibling of srcFiles.map((path) => relative(root, path).replaceAll("\\", "/"))) {
    // The chain worker's module is a worker thread's entry, not a library module.
    if (dirname(sibling) !== folder || sibling === file || sibling.endsWith("chain-worker.ts")) {
      continue;
    }
    Object.assign(scope, await entry(sibling));
  }
  for (const path of ENTRIES) Object.assign(scope, await entry(path));
  scope.testing = await entry("src/testing/index.ts");
  Object.assign(scope, await entry(file));
  const subpaths: Record<string, string> = {
    tyche: "src/index.ts",
    "tyche/infer": "src/infer/index.ts",
    "tyche/kernels": "src/infer/kernels.ts",
    "tyche/compile": "src/compile/index.ts",
    "tyche/io": "src/io/index.ts",
    "tyche/testing": "src/testing/index.ts",
  };
  scope.__entry = (source: string) => entryModules.get(subpaths[source]);
  return scope;
}
