/**
 * Numbers as text for the CSV files, round-trip safe: the shortest decimal that reads back
 * as the same float64 (at most 17 significant digits, ECMAScript's Number-to-String), with
 * Stan's spellings `nan`, `inf`, `-inf` for the non-finite values.
 */

/**
 * The shortest text that parses back to exactly `x`.
 *
 * @example
 * formatNumber(0.1); // "0.1"
 * formatNumber(Number.NaN); // "nan"
 */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

const nonFinite: Record<string, number> = {
  nan: Number.NaN,
  "-nan": Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  "+inf": Number.POSITIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
};

/**
 * Parses a CSV field as a float64: decimal or exponent notation, or `nan`, `inf`, `-inf` in
 * any case. Returns `undefined` for anything else (including the empty string).
 *
 * @example
 * parseNumber("-inf"); // -Infinity
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t.length === 0) return undefined;
  const special = nonFinite[t.toLowerCase()];
  if (special !== undefined) return special;
  const x = Number(t);
  if (Number.isNaN(x) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return x;
}
