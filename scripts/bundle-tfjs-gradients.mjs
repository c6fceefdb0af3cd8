// Bundles tfjs-core's gradient registrations (and chained tensor methods, which some gradients
// use) into one ES module that Node can load.
//
// Why: tfjs-core's npm entry for Node (dist/tf-core.node.js) registers no gradients, and
// the ESM file that does (dist/register_all_gradients.js) uses extensionless imports that
// Node's ESM loader rejects. tfjs keeps its engine and registries in a global namespace,
// so a bundled copy of the gradient configs registers into the same engine the rest of the
// library uses; the @tensorflow/tfjs union package ships its gradients the same way.
// Runs on `npm ci` / `npm install` in this repository, as the `dependencies` lifecycle script
// (which npm runs only for the project itself, never where Tyche is installed as a package, so
// installing the tarball runs no script of ours), and in `npm run build`, which ships the
// bundle in dist/vendor.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = resolve(root, process.argv[2] ?? "src/vendor/tfjs-gradients.js");
mkdirSync(dirname(outfile), { recursive: true });
await build({
  stdin: {
    // The chained ops (tensor.reshape(...)) are included because some gradients call them.
    contents: [
      'import "@tensorflow/tfjs-core/dist/register_all_gradients.js";',
      'import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";',
    ].join("\n"),
    resolveDir: root,
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  outfile,
  legalComments: "inline",
  logLevel: "warning",
});
