/**
 * Runs the code blocks of docs/guide.md, so that the guide stays true to the library.
 *
 * The ```ts blocks of the guide form one program: their imports are merged (imports from
 * "tyche" and its subpaths, "tyche/infer" and the others, become imports from the entry files
 * that package.json's "exports" names), the rest is concatenated in order, typechecked
 * with the project's compiler options and run with tsx. Blocks whose info string says
 * `no-run` are skipped. With `--print`, each line of the form `expression; // comment` also
 * prints the expression's value beside the comment, to compare them by eye.
 *
 *     npm run check:guide [-- --print]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const guidePath = resolve(root, "docs/guide.md");
const outDir = resolve(root, "out/check-guide");
const programPath = resolve(outDir, "guide.ts");
const print = process.argv.includes("--print");

/** A code block of a markdown file and the line it starts on. */
export interface Block {
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of a markdown text that are meant to run, with their line numbers. */
export function runnableBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\S*)([^\n]*)\n([\s\S]*?)^```/gm;
  for (let match = fence.exec(markdown); match !== null; match = fence.exec(markdown)) {
    const [, language, info, code] = match;
    if (language !== "ts" || /\bno-run\b/.test(info)) continue;
    const line = markdown.slice(0, match.index).split("\n").length + 1;
    blocks.push({ line, code });
  }
  return blocks;
}

/** The package's entry points: "tyche", "tyche/infer", ... and their source files under src/. */
export function packageEntries(): Map<string, string> {
  const manifest = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries<{ import: string }>(manifest.exports)) {
    const source = target.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts");
    entries.set(subpath === "." ? "tyche" : `tyche/${subpath.slice(2)}`, source);
  }
  return entries;
}

/**
 * One module from the blocks: merged imports first, then each block's code in order. Imports
 * from "tyche" and its subpaths come from the entry files under src/ (`installed` keeps the
 * package's own names, to run against an installed package).
 */
export function assemble(blocks: readonly Block[], installed = false): string {
  const entries = packageEntries();
  const namesBySource = new Map<string, Set<string>>();
  const otherImports = new Set<string>();
  const bodies: string[] = [];
  const importStatement = /^import\s+([\s\S]*?)\s+from\s+"([^"]+)";[ \t]*$/gm;
  for (const block of blocks) {
    const body = block.code.replace(importStatement, (statement, clause: string, source) => {
      const entry = entries.get(source);
      if (entry === undefined || !clause.trim().startsWith("{")) {
        otherImports.add(
          entry === undefined ? statement.trim() : statement.trim().replace(source, from(source)),
        );
        return "";
      }
      const names = namesBySource.get(source) ?? new Set<string>();
      namesBySource.set(source, names);
      for (const name of clause.replace(/[{}]/g, "").split(",")) {
        if (name.trim() !== "") names.add(name.trim());
      }
      return "";
    });
    bodies.push(
      `// docs/guide.md, block at line ${block.line}\n${print ? withValues(body) : body}`,
    );
  }
  function from(source: string): string {
    if (installed) return source;
    const entry = entries.get(source) as string;
    return relative(outDir, resolve(root, entry.replace(/\.ts$/, ".js"))).replaceAll("\\", "/");
  }
  return [
    ...[...namesBySource].map(
      ([source, names]) => `import { ${[...names].join(", ")} } from "${from(source)}";`,
    ),
    ...otherImports,
    print ? SHOW : "",
    ...bodies,
  ].join("\n");
}

const SHOW = `function show(line: number, value: unknown, note: string): void {
  const plain = (v: unknown): unknown =>
    v instanceof tf.Tensor ? v.arraySync() : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v;
  console.log(\`\${line}: \${JSON.stringify(plain(value))}  // \${note}\`);
}`;

/** Wraps top-level `expression; // comment` lines in a call that prints the value. */
function withValues(code: string): string {
  let line = 0;
  return code
    .split("\n")
    .map((text) => {
      line++;
      const match = /^([A-Za-z_][^;]*?);\s*\/\/\s*(.*)$/.exec(text);
      if (match === null || /^(const|let|await|return|if)\b/.test(match[1])) return text;
      if (/^[\w.[\]]+\s*=[^=]/.test(match[1])) return text; // an assignment
      return `show(${line}, ${match[1]}, ${JSON.stringify(match[2])});`;
    })
    .join("\n");
}

/** Compiler errors in the assembled program, with the project's options. */
function typeErrors(path: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(root, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const program = ts.createProgram([path], { ...config?.options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(path))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const blocks = runnableBlocks(readFileSync(guidePath, "utf8"));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(programPath, assemble(blocks));
  console.log(
    `docs/guide.md: ${blocks.length} blocks assembled into ${relative(root, programPath)}`,
  );
  const errors = print ? [] : typeErrors(programPath);
  for (const error of errors) console.error(`type error: ${error}`);
  const run = spawnSync(process.execPath, ["--import", "tsx", programPath], {
    cwd: root,
    stdio: "inherit",
  });
  process.exitCode = errors.length > 0 || run.status !== 0 ? 1 : 0;
}
