/**
 * Parameter arbitraries for the continuous scalar families. Each family lists its parameters
 * by kind; a few kinds get narrower defaults where a wider range would put the family's
 * values outside float32 (a LogNormal with loc 1e4 has draws of exp(1e4)); the user's
 * `ranges` still override them.
 */
import fc from "fast-check";
import { Beta } from "../dist/beta.js";
import { Cauchy } from "../dist/cauchy.js";
import { Chi2 } from "../dist/chi2.js";
import type { Distribution } from "../dist/distribution.js";
import { Exponential } from "../dist/exponential.js";
import { Gamma } from "../dist/gamma.js";
import { GaussianRandomWalk } from "../dist/gaussian-random-walk.js";
import { Gumbel } from "../dist/gumbel.js";
import { HalfCauchy } from "../dist/half-cauchy.js";
import { HalfNormal } from "../dist/half-normal.js";
import { InverseGamma } from "../dist/inverse-gamma.js";
import { Laplace } from "../dist/laplace.js";
import { LogNormal } from "../dist/log-normal.js";
import { Logistic } from "../dist/logistic.js";
import { Normal } from "../dist/normal.js";
import { Pareto } from "../dist/pareto.js";
import { SkewNormal } from "../dist/skew-normal.js";
import { StudentT } from "../dist/student-t.js";
import { TruncatedNormal } from "../dist/truncated-normal.js";
import { Uniform } from "../dist/uniform.js";
import { VonMises } from "../dist/von-mises.js";
import { Weibull } from "../dist/weibull.js";
import type { NestedNumbers } from "../tf.js";
import {
  batched,
  type DistributionArbitraryOptions,
  type DistributionCase,
  distributionCase,
  kindArbitrary,
} from "./distribution-case.js";
import type { ParameterKind, ParameterRange } from "./parameter-arbitraries.js";

type Params = Record<string, NestedNumbers>;

/** One parameter: its kind, and the family's default range for it. */
interface ParameterSpec {
  readonly kind: ParameterKind;
  readonly range?: ParameterRange;
}

/** A family of scalar parameters, each drawn independently. */
interface ScalarFamily {
  readonly params: Readonly<Record<string, ParameterSpec>>;
  readonly make: (p: Params) => Distribution;
}

const location: ParameterSpec = { kind: "location" };
const scale: ParameterSpec = { kind: "scale" };
const concentration: ParameterSpec = { kind: "concentration" };
// Exponents stay moderate where they enter exp(): draws must stay finite in float32.
const logLocation: ParameterSpec = { kind: "location", range: { min: -20, max: 20 } };
const logScale: ParameterSpec = { kind: "scale", range: { max: 5 } };

const scalarFamilies: Record<string, ScalarFamily> = {
  Normal: { params: { loc: location, scale }, make: (p) => Normal(p.loc, p.scale) },
  HalfNormal: { params: { scale }, make: (p) => HalfNormal(p.scale) },
  LogNormal: {
    params: { loc: logLocation, scale: logScale },
    make: (p) => LogNormal(p.loc, p.scale),
  },
  StudentT: {
    params: { df: concentration, loc: location, scale },
    make: (p) => StudentT(p.df, p.loc, p.scale),
  },
  Cauchy: { params: { loc: location, scale }, make: (p) => Cauchy(p.loc, p.scale) },
  HalfCauchy: { params: { scale }, make: (p) => HalfCauchy(p.scale) },
  Exponential: { params: { rate: scale }, make: (p) => Exponential(p.rate) },
  Gamma: { params: { concentration, rate: scale }, make: (p) => Gamma(p.concentration, p.rate) },
  InverseGamma: {
    params: { concentration, rate: scale },
    make: (p) => InverseGamma(p.concentration, p.rate),
  },
  Beta: {
    params: { concentration1: concentration, concentration0: concentration },
    make: (p) => Beta(p.concentration1, p.concentration0),
  },
  Laplace: { params: { loc: location, scale }, make: (p) => Laplace(p.loc, p.scale) },
  Logistic: { params: { loc: location, scale }, make: (p) => Logistic(p.loc, p.scale) },
  Gumbel: { params: { loc: location, scale }, make: (p) => Gumbel(p.loc, p.scale) },
  Weibull: {
    params: { scale, concentration },
    make: (p) => Weibull(p.scale, p.concentration),
  },
  Pareto: { params: { scale, alpha: concentration }, make: (p) => Pareto(p.scale, p.alpha) },
  Chi2: { params: { df: concentration }, make: (p) => Chi2(p.df) },
  VonMises: {
    params: { loc: { kind: "angle" }, concentration },
    make: (p) => VonMises(p.loc, p.concentration),
  },
  SkewNormal: {
    params: {
      loc: location,
      scale,
      skewness: { kind: "location", range: { min: -100, max: 100 } },
    },
    make: (p) => SkewNormal(p.loc, p.scale, p.skewness),
  },
};

function scalarFamilyArbitrary(
  family: string,
  spec: ScalarFamily,
  options: DistributionArbitraryOptions,
): fc.Arbitrary<DistributionCase> {
  const fields: Record<string, fc.Arbitrary<number>> = {};
  for (const [name, p] of Object.entries(spec.params)) {
    fields[name] = kindArbitrary(p.kind, options, p.range);
  }
  return batched(fc.record(fields), options.batchShape ?? []).map((params) =>
    distributionCase(family, params, spec.make),
  );
}

/** Uniform(low, high): high = low + width max(1, |low|), so that float32 keeps low < high. */
function uniformArbitrary(options: DistributionArbitraryOptions): fc.Arbitrary<DistributionCase> {
  const record = fc.record({
    low: kindArbitrary("location", options),
    width: kindArbitrary("scale", options),
  });
  return batched(record, options.batchShape ?? []).map(({ low, width }) => {
    const high = zipWith(low, width, (l, w) => l + w * Math.max(1, Math.abs(l)));
    return distributionCase("Uniform", { low, high }, (p) => Uniform(p.low, p.high));
  });
}

/**
 * TruncatedNormal(loc, scale, low, high): bounds at loc + z scale, with both ends finite, or
 * one end infinite, and the interval holding at least a sliver of mass (z in [-8, 8]); loc
 * and scale default to [-100, 100] and [1e-3, 1e3], so that float32 keeps the bounds apart.
 */
function truncatedNormalArbitrary(
  options: DistributionArbitraryOptions,
): fc.Arbitrary<DistributionCase> {
  const z = (min: number, max: number) =>
    kindArbitrary("location", { ...options, ranges: {} }, { min, max, edges: false });
  const record = fc.record({
    loc: kindArbitrary("location", options, { min: -100, max: 100 }),
    scale: kindArbitrary("scale", options, { min: 1e-3, max: 1e3 }),
    lowZ: z(-8, 6),
    widthZ: fc.oneof(
      kindArbitrary("scale", { ...options, ranges: {} }, { min: 0.05, max: 10, edges: false }),
      fc.constant(Number.POSITIVE_INFINITY),
    ),
    lowerInfinite: fc.boolean(),
  });
  return batched(
    record.map((r) => {
      const low = r.lowerInfinite ? Number.NEGATIVE_INFINITY : r.loc + r.lowZ * r.scale;
      const high = Number.isFinite(r.widthZ)
        ? r.lowerInfinite
          ? r.loc + (r.lowZ + r.widthZ) * r.scale
          : low + r.widthZ * r.scale
        : Number.POSITIVE_INFINITY;
      return { loc: r.loc, scale: r.scale, low, high };
    }),
    options.batchShape ?? [],
  ).map((params) =>
    distributionCase("TruncatedNormal", params, (p) =>
      TruncatedNormal(p.loc, p.scale, p.low, p.high),
    ),
  );
}

/** GaussianRandomWalk(scale, numSteps), numSteps from 1 to 10. */
function randomWalkArbitrary(
  options: DistributionArbitraryOptions,
): fc.Arbitrary<DistributionCase> {
  return fc
    .record({
      scale: batched(
        fc.record({ scale: kindArbitrary("scale", options) }),
        options.batchShape ?? [],
      ),
      numSteps: fc.integer({ min: 1, max: 10 }),
    })
    .map(({ scale: s, numSteps }) =>
      distributionCase("GaussianRandomWalk", { scale: s.scale, numSteps }, (p) =>
        GaussianRandomWalk(p.scale, p.numSteps),
      ),
    );
}

function zipWith(
  a: NestedNumbers,
  b: NestedNumbers,
  f: (x: number, y: number) => number,
): NestedNumbers {
  if (Array.isArray(a) && Array.isArray(b))
    return a.map((x, i) => zipWith(x, (b as NestedNumbers[])[i], f));
  return f(a as number, b as number);
}

/** The continuous families and their arbitraries. */
export const continuousFamilies: Readonly<
  Record<string, (options: DistributionArbitraryOptions) => fc.Arbitrary<DistributionCase>>
> = {
  ...Object.fromEntries(
    Object.entries(scalarFamilies).map(([family, spec]) => [
      family,
      (options: DistributionArbitraryOptions) => scalarFamilyArbitrary(family, spec, options),
    ]),
  ),
  Uniform: uniformArbitrary,
  TruncatedNormal: truncatedNormalArbitrary,
  GaussianRandomWalk: randomWalkArbitrary,
};
