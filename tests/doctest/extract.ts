/**
 * Finds the `@example` blocks of the doc comments under src/ and turns each into code that runs:
 * the example's own imports of Tyche are dropped (the prelude and the example's own module
 * supply every name), other imports are hoisted, and an example written as a fragment of a
 * model (a `yield*` outside any generator) runs inside a model, traced under a seed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** One `@example` block. */
export interface Example {
  /** The source file, relative to the repository root. */
  readonly file: string;
  /** The line of the `@example` tag (1-based). */
  readonly line: number;
  /** The name of the declaration the comment documents, when there is one. */
  readonly name: string;
  /** The example's code as written, without the comment's leading asterisks. */
  readonly code: string;
}

/** Every .ts file under `dir`, sorted. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith(".ts") && !entry.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The `@example` blocks of one file's doc comments. */
export function examplesOf(root: string, path: string): Example[] {
  const text = readFileSync(path, "utf8");
  const examples: Example[] = [];
  const comment = /\/\*\*([\s\S]*?)\*\//g;
  for (let match = comment.exec(text); match !== null; match = comment.exec(text)) {
    const startLine = text.slice(0, match.index).split("\n").length;
    const lines = match[1].split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    const after = text.slice(match.index + match[0].length, match.index + match[0].length + 400);
    const declared =
      /^\s*(?:(?:export|default|declare|abstract|static|async|readonly|private|protected|public|override|get|set)\s+)*(?:function\*?|class|const|let|interface|type|enum)?\s*\*?\s*([A-Za-z_$][\w$]*)/.exec(
        after,
      );
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i])) continue;
      const body: string[] = [lines[i].replace(/^@example\s*/, "")];
      let j = i + 1;
      while (j < lines.length && !/^@\w+/.test(lines[j])) body.push(lines[j++]);
      const code = body
        .join("\n")
        .replace(/^\s*```\w*\s*$/gm, "")
        .trim();
      if (code !== "") {
        examples.push({
          file: relative(root, path).replaceAll("\\", "/"),
          line: startLine + i,
          name: declared?.[1] ?? "",
          code,
        });
      }
      i = j - 1;
    }
  }
  return examples;
}

/** The parts of an example's code: hoisted imports, aliases of Tyche names, and the body. */
export interface PreparedExample {
  readonly imports: string[];
  /** `local = name` pairs from `import { name as local } from "tyche..."`. */
  readonly aliases: [string, string][];
  /** Namespaces imported from Tyche (`import * as testing from "tyche/testing"`). */
  readonly namespaces: [string, string][];
  readonly body: string;
  /** The body uses `yield*` outside a generator of its own: it is a fragment of a model. */
  readonly fragment: boolean;
}

/** Splits an example into hoisted imports and the body that runs. */
export function prepare(code: string): PreparedExample {
  const imports: string[] = [];
  const aliases: [string, string][] = [];
  const namespaces: [string, string][] = [];
  const body = code.replace(
    /^import\s+(type\s+)?([\s\S]*?)\s+from\s+["']([^"']+)["'];?[ \t]*$/gm,
    (statement, typeOnly: string | undefined, clause: string, source: string) => {
      if (source === "tyche" || source.startsWith("tyche/")) {
        if (typeOnly) return "";
        const namespace = /^\*\s+as\s+(\w+)$/.exec(clause.trim());
        if (namespace) namespaces.push([namespace[1], source]);
        for (const item of clause.replace(/[{}]/g, "").split(",")) {
          const [name, local] = item
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/);
          if (local !== undefined && name !== "*") aliases.push([local.trim(), name.trim()]);
        }
        return "";
      }
      imports.push(statement.trim());
      return "";
    },
  );
  return { imports, aliases, namespaces, body, fragment: isFragment(body) };
}

/** `yield*` or `yield` at the top level of the code, outside any generator it declares. */
function isFragment(code: string): boolean {
  if (!/\byield\b/.test(code)) return false;
  // Strip generator functions (their bodies may yield) and see whether a yield remains.
  let rest = code;
  for (;;) {
    const start = rest.search(/function\s*\*/);
    if (start < 0) break;
    const open = rest.indexOf("{", start);
    if (open < 0) break;
    let depth = 0;
    let end = open;
    for (; end < rest.length; end++) {
      if (rest[end] === "{") depth++;
      else if (rest[end] === "}" && --depth === 0) break;
    }
    rest = rest.slice(0, start) + rest.slice(end + 1);
  }
  return /\byield\b/.test(rest);
}
