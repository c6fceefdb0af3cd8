import { readFileSync } from "node:fs";

const names = new Set<string>();
for (const e of [
  "../src/index.ts",
  "../src/infer/index.ts",
  "../src/infer/kernels.ts",
  "../src/compile/index.ts",
  "../src/io/index.ts",
  "../src/testing/index.ts",
]) {
  const m = await import(e);
  for (const k of Object.keys(m)) names.add(k);
}
const fails = readFileSync("/tmp/surface/fails1.txt", "utf8").split("\n").filter(Boolean);
const { examplesOf, sourceFiles } = await import("../tests/doctest/extract.js");
const root = process.cwd();
const all = sourceFiles(root + "/src").flatMap((f: string) => examplesOf(root, f));
let pub = 0,
  priv = 0;
for (const f of fails) {
  const m = /Error: (src\/[^:]+):(\d+): (.*)/.exec(f)!;
  const ex = all.find((e: any) => e.file === m[1] && e.line === +m[2]);
  const isPub = names.has(ex?.name);
  if (isPub) pub++;
  else priv++;
  console.log(isPub ? "PUB " : "int ", m[1] + ":" + m[2], ex?.name, "--", m[3].slice(0, 60));
}
console.log(pub, priv);
