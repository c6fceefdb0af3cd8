/**
 * End to end: builds examples/browser with Vite into a temporary folder, serves it on
 * localhost, opens it in headless Chromium and checks that NUTS ran in the Web Worker on the
 * wasm backend and that the page shows the model graph, a plausible summary and both plots. Runs only where
 * Chromium is installed at /usr/bin/chromium or $CHROMIUM_PATH (CI has none, so it skips).
 *
 * Plausible: mu's posterior mean within 1 of the reference 4.41 (its posterior sd is 3.3, so
 * the band is about 15 Monte Carlo standard errors of 4000 draws) and tau's median in [1, 6]
 * (reference 2.75), from posteriordb's eight_schools_noncentered reference posterior.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, withChromium } from "./chromium.js";

const chromium = hasChromium("tests/browser/eight-schools.test.ts");

const exampleRoot = fileURLToPath(new URL("../../examples/browser/", import.meta.url));

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
};

/** Serves the files under `root` on a free localhost port. */
async function serveStatic(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const file = normalize(join(root, path === "/" ? "index.html" : decodeURIComponent(path)));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const type = contentTypes[extname(file)] ?? "application/octet-stream";
      response.writeHead(200, { "content-type": type }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

describe.skipIf(!chromium)("the browser example", () => {
  let outDir: string;
  let served: { server: Server; url: string };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "tyche-browser-build-"));
    const { build } = await import("vite");
    await build({
      configFile: join(exampleRoot, "vite.config.ts"),
      mode: "production",
      logLevel: "error",
      build: { outDir, emptyOutDir: true, reportCompressedSize: false },
    });
    served = await serveStatic(outDir);
  });

  afterAll(async () => {
    await new Promise((resolve) => served?.server.close(resolve));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it("runs NUTS on eight schools in a worker and shows the summary and plots", async () => {
    await withChromium(async (context) => {
      const errors: string[] = [];
      const page = await context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      await page.goto(served.url);
      const status = page.locator("#status");
      await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', {
        timeout: 45_000,
      });
      const statusText = (await status.textContent()) ?? "";
      expect(await status.getAttribute("data-state"), statusText).toBe("done");
      expect(errors).toEqual([]);

      const runInfo = (await page.textContent("#run-info")) ?? "";
      expect(runInfo).toContain("wasm backend");
      expect(runInfo).toContain("compiled engine");

      const cell = async (site: string, column: string) =>
        Number(await page.textContent(`tr[data-site="${site}"] td[data-column="${column}"]`));
      const muMean = await cell("mu", "mean");
      const tauMedian = await cell("tau", "median");
      const muRhat = await cell("mu", "rhat");
      const tauRhat = await cell("tau", "rhat");
      const rows = await page.locator("#summary tbody tr").count();
      console.log(
        `browser example: ${runInfo} mu mean ${muMean}, tau median ${tauMedian}, ` +
          `r_hat ${muRhat} / ${tauRhat}, ${rows} summary rows`,
      );
      // mu, tau, eta[0..7], theta[0..7].
      expect(rows).toBe(18);
      expect(Math.abs(muMean - 4.41)).toBeLessThan(1);
      expect(tauMedian).toBeGreaterThan(1);
      expect(tauMedian).toBeLessThan(6);
      expect(muRhat).toBeLessThan(1.05);
      expect(tauRhat).toBeLessThan(1.05);

      // The model graph, drawn by Graphviz (WebAssembly) in the worker: five sites, four
      // edges, the school plate.
      const graph = page.locator("#model-graph svg");
      expect(await graph.locator("g.node").count()).toBe(5);
      expect(await graph.locator("g.edge").count()).toBe(4);
      expect(await graph.locator("g.cluster text").textContent()).toBe("school (8)");
      const box = await graph.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(50);

      // Both plots rendered by Vega: an SVG each, with drawn marks.
      for (const id of ["trace-plot", "posterior-plot"]) {
        const marks = await page.locator(`#${id} svg path`).count();
        expect(marks, id).toBeGreaterThan(4);
      }
    });
  });
});
