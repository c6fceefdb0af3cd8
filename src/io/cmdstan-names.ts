/**
 * CmdStan's column names for container elements: `theta.1`, `theta.2`, ... and for a matrix
 * `Sigma.1.1`, `Sigma.2.1`, `Sigma.1.2`, ...: 1-based indices joined by dots, in column-major
 * order (the first index varies fastest), as CmdStan writes them (Stan CSV File Format,
 * CmdStan guide). Tyche's draws are row-major, so each column carries its row-major offset.
 */
import { ArgumentError } from "../errors.js";
import { sizeOf } from "../util/shapes.js";

/** One CSV column of a site: its name and the row-major offset of its element within a draw. */
export interface CmdStanColumn {
  name: string;
  offset: number;
}

/**
 * The columns of a site of shape `siteShape` in CmdStan's order.
 *
 * @example
 * cmdstanColumns("Sigma", [2, 2]).map((c) => c.name); // ["Sigma.1.1", "Sigma.2.1", "Sigma.1.2", "Sigma.2.2"]
 */
export function cmdstanColumns(site: string, siteShape: readonly number[]): CmdStanColumn[] {
  const size = sizeOf(siteShape);
  const rank = siteShape.length;
  const rowMajorStrides = new Array<number>(rank);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    rowMajorStrides[i] = stride;
    stride *= siteShape[i];
  }
  const columns: CmdStanColumn[] = [];
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < size; k++) {
    let offset = 0;
    for (let i = 0; i < rank; i++) offset += index[i] * rowMajorStrides[i];
    const suffix = index.map((j) => `.${j + 1}`).join("");
    columns.push({ name: `${site}${suffix}`, offset });
    // Advance the column-major counter: the first index varies fastest.
    for (let i = 0; i < rank; i++) {
      if (++index[i] < siteShape[i]) break;
      index[i] = 0;
    }
  }
  return columns;
}

/** A CSV column name split into its site and 0-based indices. */
export interface ParsedColumn {
  site: string;
  index: number[];
}

/**
 * Splits a CmdStan column name: `Sigma.2.1` is site `Sigma` at 0-based index `[1, 0]`; a name
 * without numeric suffixes is a scalar site.
 *
 * @example
 * parseCmdstanColumn("Sigma.2.1"); // { site: "Sigma", index: [1, 0] }
 */
export function parseCmdstanColumn(name: string): ParsedColumn {
  const parts = name.split(".");
  let k = parts.length;
  while (k > 1 && /^[1-9][0-9]*$/.test(parts[k - 1])) k--;
  return {
    site: parts.slice(0, k).join("."),
    index: parts.slice(k).map((p) => Number(p) - 1),
  };
}

/**
 * Throws unless `site` can be a CmdStan column name: no commas, quotes, dots, whitespace or
 * `#`, which would break the CSV or the index suffixes of its readers, and no trailing `__`:
 * Stan reserves those names for the sampler's columns (`lp__`, `stepsize__`, ...), and every
 * reader (ArviZ, cmdstanpy, posterior, this package's) files such a column under the sampler's
 * statistics, so a site named `lp__` would collide with `lp__` and one named `x__` would come
 * back as a statistic.
 */
export function checkColumnSiteName(site: string, api: string): void {
  if (site.length === 0 || /[,."'#\s]/.test(site)) {
    throw new ArgumentError({
      api,
      argument: "samples",
      message: `${api}: site names must be non-empty and free of commas, dots, quotes, '#' and whitespace to be CmdStan columns, got "${site}"`,
    });
  }
  if (site.endsWith("__")) {
    throw new ArgumentError({
      api,
      argument: "samples",
      message: `${api}: site "${site}" ends in "__", which CmdStan reserves for sampler columns (lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__); rename the site, or export with toJSON`,
    });
  }
}
