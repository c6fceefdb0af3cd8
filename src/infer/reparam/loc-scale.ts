/**
 * `LocScaleReparam`: partial (de)centring of location-scale families (Gorinova, Moore &
 * Hoffman 2020, "Automatic reparameterisation of probabilistic programs"; centred = 0 is the
 * non-centred parameterization of Papaspiliopoulos, Roberts & Sköld 2007). For
 * x ~ F(loc, scale) and centring c in [0, 1] the site draws
 *
 *     x_decentered ~ F(c loc, scale^c),    x = loc + scale^(1 - c) (x_decentered - c loc),
 *
 * which has the law of x for every c: c = 1 is the model as written, c = 0 draws standard
 * noise and moves loc and scale into a deterministic function (what NUTS needs in a funnel).
 * Families: Normal, Cauchy, Laplace, Logistic, Gumbel, StudentT (df kept), and the scale
 * families HalfNormal, HalfCauchy and GaussianRandomWalk (loc = 0), as `expand`ed and
 * `toEvent`ed.
 */
import { CauchyDistribution } from "../../dist/cauchy.js";
import { unitInterval } from "../../dist/constraints.js";
import type { Distribution } from "../../dist/distribution.js";
import { GaussianRandomWalkDistribution } from "../../dist/gaussian-random-walk.js";
import { GumbelDistribution } from "../../dist/gumbel.js";
import { HalfCauchyDistribution } from "../../dist/half-cauchy.js";
import { HalfNormalDistribution } from "../../dist/half-normal.js";
import { LaplaceDistribution } from "../../dist/laplace.js";
import { LogisticDistribution } from "../../dist/logistic.js";
import { NormalDistribution } from "../../dist/normal.js";
import { StudentTDistribution } from "../../dist/student-t.js";
import { ArgumentError, ModelError } from "../../errors.js";
import type { Reparam, RewrittenSite } from "../../handlers/reparam.js";
import { param, sample } from "../../primitives/effects.js";
import type { Message } from "../../primitives/messages.js";
import { tf } from "../../tf.js";
import { rewrap, unwrap } from "./unwrap.js";

/** How to read and rebuild one family: its loc (undefined for scale families) and scale. */
interface LocScaleFamily {
  loc(fn: Distribution): tf.Tensor | undefined;
  scale(fn: Distribution): tf.Tensor;
  /** The same family (same shape parameters) at another loc and scale. */
  rebuild(fn: Distribution, loc: tf.Tensor, scale: tf.Tensor): Distribution;
  /** Dims the value has right of the scale's (a random walk's steps). */
  readonly valueDims: number;
}

type Ctor = abstract new (...args: never[]) => Distribution;
const families = new Map<Ctor, LocScaleFamily>();

function locScale<D extends Distribution & { loc: tf.Tensor; scale: tf.Tensor }>(
  ctor: abstract new (...args: never[]) => D,
  rebuild: (fn: D, loc: tf.Tensor, scale: tf.Tensor) => Distribution,
): void {
  families.set(ctor, {
    loc: (fn) => (fn as D).loc,
    scale: (fn) => (fn as D).scale,
    rebuild: (fn, loc, scale) => rebuild(fn as D, loc, scale),
    valueDims: 0,
  });
}

function scaleOnly<D extends Distribution & { scale: tf.Tensor }>(
  ctor: abstract new (...args: never[]) => D,
  rebuild: (fn: D, scale: tf.Tensor) => Distribution,
  valueDims = 0,
): void {
  families.set(ctor, {
    loc: () => undefined,
    scale: (fn) => (fn as D).scale,
    rebuild: (fn, _loc, scale) => rebuild(fn as D, scale),
    valueDims,
  });
}

locScale(NormalDistribution, (_, loc, scale) => new NormalDistribution(loc, scale));
locScale(CauchyDistribution, (_, loc, scale) => new CauchyDistribution(loc, scale));
locScale(LaplaceDistribution, (_, loc, scale) => new LaplaceDistribution(loc, scale));
locScale(LogisticDistribution, (_, loc, scale) => new LogisticDistribution(loc, scale));
locScale(GumbelDistribution, (_, loc, scale) => new GumbelDistribution(loc, scale));
locScale(StudentTDistribution, (fn, loc, scale) => new StudentTDistribution(fn.df, loc, scale));
scaleOnly(HalfNormalDistribution, (_, scale) => new HalfNormalDistribution(scale));
scaleOnly(HalfCauchyDistribution, (_, scale) => new HalfCauchyDistribution(scale));
scaleOnly(
  GaussianRandomWalkDistribution,
  (fn, scale) => new GaussianRandomWalkDistribution(scale, fn.numSteps),
  1,
);

function familyOf(site: RewrittenSite, base: Distribution): LocScaleFamily {
  const family = families.get(base.constructor as Ctor);
  if (family === undefined) {
    throw new ModelError({
      message: `LocScaleReparam: site "${site.name}" has a ${base.family} distribution, which is not a location-scale family (Normal, Cauchy, Laplace, Logistic, Gumbel, StudentT, HalfNormal, HalfCauchy, GaussianRandomWalk)`,
      site: site.name,
    });
  }
  return family;
}

// scale broadcast against values with `dims` more dims on the right.
const alignScale = (scale: tf.Tensor, dims: number): tf.Tensor =>
  dims === 0 ? scale : tf.reshape(scale, [...scale.shape, ...new Array(dims).fill(1)]);

/**
 * Partial centring of a location-scale site: `centered` 0 (non-centred), 1 (as written), in
 * between, or undefined to learn it in SVI as the param `${site}_centered` in [0, 1].
 *
 * @example
 * reparam(model, { config: { theta: LocScaleReparam(0) } }); // theta_decentered ~ N(0, 1)
 */
export function LocScaleReparam(centered?: number): Reparam {
  if (centered !== undefined && !(centered >= 0 && centered <= 1)) {
    throw new ArgumentError({
      message: `LocScaleReparam: centered must be in [0, 1] (or undefined to learn it), got ${centered}`,
      api: "LocScaleReparam",
      argument: "centered",
    });
  }
  return {
    name: "LocScaleReparam",
    *apply(site: RewrittenSite): Generator<Message, tf.Tensor | undefined, unknown> {
      const { base, expandShape, eventRank } = unwrap(site.fn);
      const family = familyOf(site, base);
      const c: tf.Tensor | number =
        centered ??
        (yield* param(`${site.name}_centered`, () => tf.fill(site.fn.eventShape, 0.5), {
          constraint: unitInterval,
        }));
      if (c === 1) return undefined; // centred: the model as written
      const loc = family.loc(base);
      const scale = family.scale(base);
      const decenteredFn = family.rebuild(
        base,
        loc === undefined ? tf.zerosLike(scale) : tf.mul(loc, c),
        c === 0 ? tf.onesLike(scale) : tf.pow(scale, c),
      );
      const decentered = yield* sample(
        `${site.name}_decentered`,
        rewrap(decenteredFn, expandShape, eventRank),
      );
      const spread = alignScale(c === 0 ? scale : tf.pow(scale, tf.sub(1, c)), family.valueDims);
      if (loc === undefined) return tf.mul(spread, decentered);
      const centredPart = c === 0 ? decentered : tf.sub(decentered, tf.mul(c, loc));
      return tf.add(loc, tf.mul(spread, centredPart));
    },
  };
}
