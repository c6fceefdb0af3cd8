import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";

// The README's quickstart is code a new user copies: it must run as written.
describe("README quickstart", () => {
  it("runs and prints a summary of eight schools with mu and tau", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = readme.split("## Quickstart")[1].match(/```ts\n([\s\S]*?)```/)?.[1];
    expect(block).toBeDefined();
    const index = pathToFileURL(join(root, "src/index.ts")).href;
    const source = (block as string)
      .replace('from "tyche"', `from ${JSON.stringify(index)}`)
      .replace(
        "numWarmup: 1000, numSamples: 1000, numChains: 4",
        "numWarmup: 300, numSamples: 300, numChains: 2, progressBar: false",
      );
    const dir = mkdtempSync(join(tmpdir(), "tyche-readme-"));
    const file = join(dir, "quickstart.ts");
    writeFileSync(file, source);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(pathToFileURL(file).href);
      const printed = log.mock.calls.map((c) => String(c[0])).join("\n");
      expect(printed).toMatch(/^mu\s+-?\d/m);
      expect(printed).toMatch(/^tau\s+\d/m);
      expect(printed).toMatch(/^theta\[7\]/m);
      expect(printed).toMatch(/divergences/i);
    } finally {
      log.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
