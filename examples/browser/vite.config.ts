/**
 * Vite configuration of the browser example: `npx vite examples/browser` serves it,
 * `npm run build:browser` builds it into out/browser.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // Relative asset URLs: the build works from any folder it is served from.
  base: "./",
  build: {
    outDir: fileURLToPath(new URL("../../out/browser", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // The worker's chunk holds tfjs, Effect and Tyche (about 2 MB, 0.35 MB gzipped): expected.
    chunkSizeWarningLimit: 2500,
    // Bundling the worker happens inside the page's HTML transform, which Rolldown then reports
    // as a slow plugin: not a problem, so not reported.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  // Module workers: the worker's code is split into chunks like the page's, and may import
  // modules on demand.
  worker: { format: "es" },
});
