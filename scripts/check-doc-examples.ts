/**
 * Lists the package's exported functions and classes whose doc comment has no `@example`, and
 * fails when there is any (STYLE.md: public functions carry a short doc comment with a runnable
 * example). Walks the exports of every entry point package.json's "exports" names (src/index.ts
 * for "tyche", src/infer/index.ts for "tyche/infer", ...) with the TypeScript compiler, following
 * re-exports and namespaces (`constraints.*`) but not into other packages (`tf` is tfjs-core's
 * own namespace); counts as a function anything exported whose
 * value can be called or constructed, so `export const f = ...` is checked too.
 *
 *     npm run check:docs
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** An exported function or class and whether its doc comment has an example. */
export interface ExportedCallable {
  readonly name: string;
  readonly kind: "function" | "class";
  readonly location: string;
  readonly hasExample: boolean;
}

/** The exported functions and classes reachable from `entry`, in export order. */
export function exportedCallables(entry = resolve(root, "src/index.ts")): ExportedCallable[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(root, "tsconfig.build.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const program = ts.createProgram([entry], { ...config?.options, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`check-doc-examples: cannot read ${entry}`);
  const found: ExportedCallable[] = [];
  const seen = new Set<ts.Symbol>();
  const visit = (module: ts.Symbol, prefix: string) => {
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = prefix + exported.getName();
      const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
      // Only Tyche's own code: `tf` re-exports tfjs-core, documented by tfjs.
      if (declaration === undefined || !isOwnFile(declaration.getSourceFile())) continue;
      if (symbol.flags & ts.SymbolFlags.ValueModule && ts.isSourceFile(declaration)) {
        visit(symbol, `${name}.`);
        continue;
      }
      const kind = callableKind(symbol, checker);
      if (kind === undefined || seen.has(symbol)) continue;
      seen.add(symbol);
      const file = declaration.getSourceFile();
      const line = file.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
      found.push({
        name,
        kind,
        location: `${relative(root, file.fileName)}:${line}`,
        hasExample: hasExample(symbol, checker),
      });
    }
  };
  visit(moduleSymbol, "");
  return found;
}

/** An `@example` on the declaration, or, for a class, on its constructor. */
function hasExample(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  const isExample = (tag: ts.JSDocTagInfo) => tag.name === "example";
  if (symbol.getJsDocTags(checker).some(isExample)) return true;
  const constructors = symbol.members?.get(ts.InternalSymbolName.Constructor);
  return constructors?.getJsDocTags(checker).some(isExample) ?? false;
}

function isOwnFile(file: ts.SourceFile): boolean {
  return !relative(resolve(root, "src"), file.fileName).startsWith("..");
}

function callableKind(
  symbol: ts.Symbol,
  checker: ts.TypeChecker,
): "function" | "class" | undefined {
  if (symbol.flags & ts.SymbolFlags.Class) return "class";
  if (symbol.flags & ts.SymbolFlags.Function) return "function";
  if (symbol.flags & ts.SymbolFlags.Variable) {
    const type = checker.getTypeOfSymbol(symbol);
    if (type.getCallSignatures().length > 0) return "function";
    if (type.getConstructSignatures().length > 0) return "class";
  }
  return undefined;
}

/** The source files of the package's entry points, from package.json's "exports". */
export function entryFiles(): string[] {
  const manifest = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8"));
  return Object.values<{ import: string }>(manifest.exports).map((target) =>
    resolve(root, target.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts")),
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // A name exported from several entry points is listed once.
  const byLocation = new Map<string, ExportedCallable>();
  for (const c of entryFiles().flatMap((entry) => exportedCallables(entry))) {
    if (!byLocation.has(c.location)) byLocation.set(c.location, c);
  }
  const callables = [...byLocation.values()];
  const missing = callables.filter((c) => !c.hasExample);
  for (const c of missing) console.log(`${c.location}  ${c.kind} ${c.name}`);
  console.log(
    `${callables.length} exported functions and classes, ${missing.length} without an @example`,
  );
  process.exitCode = missing.length > 0 ? 1 : 0;
}
