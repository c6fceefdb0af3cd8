/**
 * What every check returns: `ok`, the checks that ran, the failures with the failing site,
 * the (shrunk) input and the numbers that disagree, and a `report` that says all of it in
 * words. `assertPasses` throws the report, for one-line use in a test.
 */

/** One failing property, with what a reader needs to reproduce and understand it. */
export interface PropertyFailure {
  /** Which check failed: "prior draws", "gradient (compiled)", "round trip", ... */
  readonly check: string;
  /** The site (or op input, or transform coordinate) the failure is about, when known. */
  readonly site?: string;
  /** What `site` names, in reports: "site" (default), "input", "coordinate", "parameter". */
  readonly siteKind?: string;
  /** The failing input, shrunk to the simplest one found. */
  readonly input: string;
  /** The numbers that disagree, in words. */
  readonly message: string;
  /** The input as first found, before shrinking (when it differs). */
  readonly shrunkFrom?: string;
  /** Shrinking steps from `shrunkFrom` to `input`. */
  readonly numShrinks?: number;
}

/** A check that ran: its name, whether it held, and how many inputs it saw. */
export interface CheckSummary {
  readonly name: string;
  readonly ok: boolean;
  /** Inputs tried (prior draws, points, ...). */
  readonly runs: number;
  /** What `runs` counts, in reports (default "input"). */
  readonly unit?: string;
  /** Why the check was skipped or limited, when it was. */
  readonly note?: string;
}

/** The common shape of `checkModel`, `checkOp`, `checkTransform` and `sbc` results. */
export interface PropertyCheckResult {
  /** Whether every check held. */
  readonly ok: boolean;
  /** What was checked: "model negativeScale", "op keplerE", "transform exp". */
  readonly subject: string;
  readonly checks: readonly CheckSummary[];
  readonly failures: readonly PropertyFailure[];
  /** Everything above, in words: what failed, where, at which input, with which numbers. */
  readonly report: string;
}

/**
 * A property check that failed; its message is the check's report.
 *
 * @example
 * try { assertPasses(result); } catch (e) { if (e instanceof PropertyCheckError) console.log(e.result.report); }
 */
export class PropertyCheckError extends Error {
  readonly _tag = "PropertyCheckError";
  constructor(readonly result: { readonly ok: boolean; readonly report: string }) {
    super(result.report);
    this.name = "PropertyCheckError";
  }
}

/**
 * Throws a `PropertyCheckError` carrying the report when a check failed; returns the result
 * otherwise. Use it to make any check a one-line test assertion.
 *
 * @example
 * // in a vitest or jest test:
 * testing.assertPasses(testing.checkModel(model, [data])); // the report is thrown if a check fails
 */
export function assertPasses<R extends { readonly ok: boolean; readonly report: string }>(
  result: R,
): R {
  if (!result.ok) throw new PropertyCheckError(result);
  return result;
}

/** "1 input", "3 inputs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** A tolerance for reports: 1e-5 rather than 0.00001. */
export function formatTolerance(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(0) : String(x);
}

/** Indents every line of `text` by `spaces`. */
export function indent(text: string, spaces = 4): string {
  const pad = " ".repeat(spaces);
  return text
    .split("\n")
    .map((line) => pad + line)
    .join("\n");
}

/** A failure in words, over one or more lines. */
export function describeFailure(f: PropertyFailure): string {
  const where = f.site === undefined ? "" : ` at ${f.siteKind ?? "site"} "${f.site}"`;
  const lines = [`${f.check}${where}: ${f.message}`, `input: ${f.input}`];
  if (f.shrunkFrom !== undefined && f.shrunkFrom !== f.input) {
    lines.push(
      `(shrunk from ${f.shrunkFrom}${f.numShrinks !== undefined ? ` in ${f.numShrinks} steps` : ""})`,
    );
  }
  return lines.join("\n");
}

/**
 * The report of a check: a headline, one line per check (passed or failed), then each
 * failure in detail.
 */
export function formatReport(
  subject: string,
  checks: readonly CheckSummary[],
  failures: readonly PropertyFailure[],
  notes: readonly string[] = [],
): string {
  const failed = checks.filter((c) => !c.ok).length;
  const headline =
    failed === 0
      ? `${subject}: ${checks.length === 1 ? "the check" : `all ${checks.length} checks`} passed`
      : `${subject}: ${failed} of ${checks.length} checks failed`;
  const lines = [headline];
  for (const c of checks) {
    lines.push(
      `  ${c.ok ? "ok  " : "FAIL"} ${c.name} (${plural(c.runs, c.unit ?? "input")})${c.note ? `: ${c.note}` : ""}`,
    );
  }
  for (const n of notes) lines.push(`  note: ${n}`);
  for (const f of failures) lines.push("", indent(describeFailure(f), 2));
  return lines.join("\n");
}

/**
 * The result of a check from the checks that ran and the failures found: it passed when
 * nothing failed, and its report says so (with `notes` after the checks).
 *
 * @example
 * const result = propertyCheckResult("transform exp", [{ name: "round trip", ok: true, runs: 25 }], []);
 * result.ok; // true
 */
export function propertyCheckResult(
  subject: string,
  checks: readonly CheckSummary[],
  failures: readonly PropertyFailure[],
  notes: readonly string[] = [],
): PropertyCheckResult {
  return {
    ok: failures.length === 0,
    subject,
    checks,
    failures,
    report: formatReport(subject, checks, failures, notes),
  };
}
