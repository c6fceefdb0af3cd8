import { readFileSync } from "node:fs";
import { examplesOf, sourceFiles } from "../tests/doctest/extract.js";

const root = process.cwd();
const all = sourceFiles(root + "/src").flatMap((f) => examplesOf(root, f));
const fails = readFileSync("/tmp/surface/fails1.txt", "utf8").split("\n").filter(Boolean);
const pat = new RegExp(process.argv[2]);
for (const f of fails) {
  if (!pat.test(f)) continue;
  const m = /Error: (src\/[^:]+):(\d+): (.*)/.exec(f)!;
  const ex = all.find((e) => e.file === m[1] && e.line === +m[2]);
  console.log(`=== ${m[1]}:${m[2]} ${ex?.name} -- ${m[3]}\n${ex?.code}`);
}
