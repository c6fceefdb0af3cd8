/**
 * Importing Tyche chooses no tfjs backend: tfjs takes one on first use, or the application
 * chooses with `useBackend`. Checked in a fresh Node process, since this suite's workers share
 * one tfjs engine (vitest's `isolate: false`) whose backend other test files have long set.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Runs an ES module body in a fresh Node process with tsx; returns what it printed. */
function runFresh(body: string): string {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", body],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return result.stdout;
}

describe("backend choice", () => {
  it("is not made by importing the package or any of its entry points", () => {
    const printed = runFresh(`
      import { engine } from "@tensorflow/tfjs-core";
      await import("./src/index.ts");
      await import("./src/infer/index.ts");
      await import("./src/infer/kernels.ts");
      await import("./src/compile/index.ts");
      await import("./src/io/index.ts");
      // engine().backendName, unlike getBackend(), does not pick a backend itself.
      console.log("after import:", engine().backendName ?? "none");
      console.log("registered:", engine().backendNames().sort().join(","));
    `);
    expect(printed).toMatch(/^after import: none$/m);
    // Only cpu is registered: wasm is loaded by useBackend("wasm") alone.
    expect(printed).toMatch(/^registered: cpu$/m);
  });

  it("falls to cpu on first use, and useBackend switches explicitly", () => {
    const printed = runFresh(`
      import { engine, getBackend } from "@tensorflow/tfjs-core";
      const { Normal, sample, seed, trace, useBackend } = await import("./src/index.ts");
      function* model() { return yield* sample("z", Normal(0, 1)); }
      trace(seed(model, 0)).getTrace();
      console.log("first use:", engine().backendName);
      await useBackend("wasm");
      console.log("after useBackend:", getBackend());
      const z = trace(seed(model, 0)).getTrace().get("z").value;
      console.log("draw is finite:", Number.isFinite(z.dataSync()[0]));
      await useBackend("cpu");
      console.log("back:", getBackend());
    `);
    expect(printed).toMatch(/^first use: cpu$/m);
    expect(printed).toMatch(/^after useBackend: wasm$/m);
    expect(printed).toMatch(/^draw is finite: true$/m);
    expect(printed).toMatch(/^back: cpu$/m);
  });

  it("stays the default after the compiled engine traces an objective before any tensor op", () => {
    // The recorder is the active backend only while it traces; with no backend chosen yet, the
    // one restored afterwards must be tfjs's default, not the recorder.
    const printed = runFresh(`
      import { getBackend } from "@tensorflow/tfjs-core";
      const { compileObjective } = await import("./src/compile/index.ts");
      const { tf } = await import("./src/tf.ts");
      const compiled = compileObjective((x) => tf.sum(tf.square(x)), [[2]]);
      console.log("compiled:", compiled.ok);
      console.log("after compile:", getBackend());
    `);
    expect(printed).toMatch(/^compiled: true$/m);
    expect(printed).toMatch(/^after compile: cpu$/m);
  });
});
