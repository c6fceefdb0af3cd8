/**
 * Parameter arbitraries for the multivariate continuous families: MultivariateNormal (with a
 * covariance, scale_tril or precision matrix built from scales and a correlation Cholesky
 * factor), Dirichlet and LKJCholesky.
 */
import fc from "fast-check";
import { Dirichlet } from "../dist/dirichlet.js";
import { LKJCholesky } from "../dist/lkj-cholesky.js";
import { MultivariateNormal, type MultivariateNormalSpread } from "../dist/multivariate-normal.js";
import { CorrCholeskyTransform } from "../dist/transforms-matrix.js";
import type { NestedNumbers } from "../tf.js";
import {
  batched,
  type DistributionArbitraryOptions,
  type DistributionCase,
  dimensionArbitrary,
  distributionCase,
  kindArbitrary,
  vectors,
} from "./distribution-case.js";
import { readableDouble } from "./readable-number.js";

type Spread = "covarianceMatrix" | "scaleTril" | "precisionMatrix";

/** L = diag(scales) C for a correlation Cholesky factor C from partial correlations tanh(x). */
function scaleTrilOf(scales: readonly number[], unconstrained: readonly number[]): number[][] {
  const d = scales.length;
  const c = new CorrCholeskyTransform().forwardF64(Float64Array.from(unconstrained), [
    unconstrained.length,
  ]);
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => scales[i] * c[i * d + j]),
  );
}

function multiply(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
}

function transpose(a: number[][]): number[][] {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/** The inverse of a lower triangular matrix, by forward substitution. */
function invertLower(l: number[][]): number[][] {
  const d = l.length;
  const inv = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    inv[j][j] = 1 / l[j][j];
    for (let i = j + 1; i < d; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i][k] * inv[k][j];
      inv[i][j] = -s / l[i][i];
    }
  }
  return inv;
}

function symmetrize(m: number[][]): number[][] {
  return m.map((row, i) => row.map((_, j) => (m[i][j] + m[j][i]) / 2));
}

/**
 * MultivariateNormal(loc, { covarianceMatrix | scaleTril | precisionMatrix }) of dimension d.
 * Scales default to [0.1, 10] and partial correlations to tanh([-2, 2]), so that float32
 * factorizes every matrix; widen `ranges.scale` to probe ill-conditioned ones.
 */
function multivariateNormalArbitrary(
  options: DistributionArbitraryOptions,
): fc.Arbitrary<DistributionCase> {
  const scale = kindArbitrary("scale", options, { min: 0.1, max: 10, edges: false });
  const partial = readableDouble({ min: -2, max: 2 });
  return dimensionArbitrary(options).chain((d) =>
    fc
      .record({
        loc: vectors(kindArbitrary("location", options), d, options.batchShape ?? []),
        scales: fc.array(scale, { minLength: d, maxLength: d }),
        partials: fc.array(partial, { minLength: (d * (d - 1)) / 2, maxLength: (d * (d - 1)) / 2 }),
        spread: fc.constantFrom<Spread>("covarianceMatrix", "scaleTril", "precisionMatrix"),
      })
      .map(({ loc, scales, partials, spread }) => {
        const l = scaleTrilOf(scales, partials);
        const covariance = symmetrize(multiply(l, transpose(l)));
        const inverse = invertLower(l);
        const matrix =
          spread === "scaleTril"
            ? l
            : spread === "covarianceMatrix"
              ? covariance
              : symmetrize(multiply(transpose(inverse), inverse));
        return distributionCase(
          "MultivariateNormal",
          { loc, [spread]: matrix } as Record<string, NestedNumbers>,
          (p) =>
            MultivariateNormal(p.loc, {
              [spread]: p[spread],
            } as unknown as MultivariateNormalSpread),
        );
      }),
  );
}

/** The multivariate continuous families and their arbitraries. */
export const multivariateFamilies: Readonly<
  Record<string, (options: DistributionArbitraryOptions) => fc.Arbitrary<DistributionCase>>
> = {
  MultivariateNormal: multivariateNormalArbitrary,
  Dirichlet: (o) =>
    dimensionArbitrary(o)
      .chain((k) => vectors(kindArbitrary("concentration", o), k, o.batchShape ?? []))
      .map((concentration) =>
        distributionCase("Dirichlet", { concentration }, (p) => Dirichlet(p.concentration)),
      ),
  LKJCholesky: (o) =>
    fc
      .record({
        dimension: dimensionArbitrary(o),
        concentration: batched(
          fc.record({ c: kindArbitrary("concentration", o) }),
          o.batchShape ?? [],
        ).map((r) => r.c),
      })
      .map((p) =>
        distributionCase("LKJCholesky", p, (q) =>
          LKJCholesky(q.dimension as number, q.concentration),
        ),
      ),
};
