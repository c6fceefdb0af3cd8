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
    // Module workers: the worker's code (Tyche, tfjs, Effect) is split into chunks like the page's.
    target: "es2022",
  },
  worker: { format: "es" },
});
