import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { chainWorkerEntry } from "../../../src/infer/mcmc/worker-entry.js";
import { ChainWorkerPool } from "../../../src/infer/mcmc/worker-pool.js";

describe("chainWorkerEntry (running from the TypeScript sources)", () => {
  it("gives the cached bundle of the worker, one file per hash of the sources, shared by callers", async () => {
    const [a, b] = await Promise.all([chainWorkerEntry([]), chainWorkerEntry([])]);
    expect(a.kind).toBe("file");
    if (a.kind !== "file" || b.kind !== "file") return;
    expect(b.url.href).toBe(a.url.href);
    expect(a.url.pathname).toMatch(/node_modules\/\.cache\/tyche\/chain-worker-[0-9a-f]{20}\.mjs$/);
    const path = fileURLToPath(a.url);
    expect(existsSync(path)).toBe(true);
    const code = readFileSync(path, "utf8");
    expect(code).toMatch(/^\/\/ Tyche's chain worker, bundled by esbuild/);
    // Written whole: the worker's message handler, and the legal comments esbuild puts last.
    expect(code).toContain('postMessage({ type: "error", error: serializeError(error) })');
    expect(code.trimEnd().endsWith("*/")).toBe(true);
  });

  it("bundles no tfjs: the worker runs float64 code only", async () => {
    const entry = await chainWorkerEntry([]);
    if (entry.kind !== "file") throw new Error(`expected the bundle, got a ${entry.kind} entry`);
    const code = readFileSync(fileURLToPath(entry.url), "utf8");
    // esbuild heads each bundled module with a comment naming its path.
    const modules = [...code.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]);
    expect(modules).toContain("src/custom-vjp/special-rules.ts");
    expect(modules).toContain("src/infer/nuts/sampler.ts");
    expect(modules.filter((m) => m.includes("@tensorflow/") || m === "src/tf.ts")).toEqual([]);
  });

  it("starts workers with workerImports from the library's own modules (through tsx)", async () => {
    const entry = await chainWorkerEntry(["file:///custom-ops.js"]);
    expect(entry.kind).toBe("eval");
    if (entry.kind === "eval") {
      expect(entry.source).toContain("tsx/esm/api");
      expect(entry.source).toContain("chain-worker.ts");
    }
  });
});

describe("ChainWorkerPool.shared", () => {
  it("keeps one pool across runs, grown to the largest size asked", async () => {
    const a = await ChainWorkerPool.shared(1, []);
    const b = await ChainWorkerPool.shared(2, []);
    expect(b).toBe(a);
  });
});
