/**
 * Standard-normal noise as an explicit input of the ELBO.
 *
 * A guide's Gaussian sample sites are location-scale transforms of standard normal noise:
 * z = loc + scale * eps (Normal) or z = loc + L eps (the flat autoguides). Instead of drawing
 * eps from the site's key inside the traced function, `withNoise` takes it from one flat tensor
 * that the caller passes in. The loss then is a pure function `(params, noise) => loss`, which
 * the compiled engine can compile once and call with fresh noise at every step (DESIGN.md
 * section 4). Sites of other families still draw from their keys.
 */
import {
  type Distribution,
  ExpandedDistribution,
  Independent,
  Masked,
} from "../../dist/distribution.js";
import { NormalDistribution } from "../../dist/normal.js";
import { ModelError } from "../../errors.js";
import { type Model, wrap } from "../../primitives/runtime.js";
import { tf } from "../../tf.js";
import { sizeOf } from "../../util/shapes.js";

/**
 * A distribution that draws as `fromNoise(eps)` for standard normal eps of shape
 * `[...batchShape, ...noiseEventShape]` (the library's guide distributions implement it).
 */
export interface NoiseReparameterized {
  /** Shape of the noise one batch element needs; undefined when this instance cannot use noise. */
  readonly noiseEventShape: readonly number[] | undefined;
  /** The draw for standard normal noise `eps` (extra leading dims broadcast). */
  fromNoise(eps: tf.Tensor): tf.Tensor;
}

function hasOwnNoise(fn: Distribution): fn is Distribution & NoiseReparameterized {
  return "fromNoise" in fn && "noiseEventShape" in fn;
}

/**
 * The noise shape per batch element of `fn`, or undefined when `fn` does not draw from
 * standard normal noise by a location-scale map (Normal, its expanded, independent and masked
 * forms, and distributions that implement `NoiseReparameterized`).
 */
export function noiseEventShape(fn: Distribution): number[] | undefined {
  if (fn instanceof NormalDistribution) return [];
  if (hasOwnNoise(fn)) return fn.noiseEventShape?.slice();
  if (fn instanceof ExpandedDistribution || fn instanceof Masked) return noiseEventShape(fn.base);
  if (fn instanceof Independent) {
    const inner = noiseEventShape(fn.base);
    if (inner === undefined) return undefined;
    const cut = fn.base.batchShape.length - fn.reinterpreted;
    return [...fn.base.batchShape.slice(cut), ...inner];
  }
  return undefined;
}

/** The full noise shape of one draw of `fn`: `[...batchShape, ...noiseEventShape]`. */
export function noiseShape(fn: Distribution): number[] | undefined {
  const event = noiseEventShape(fn);
  return event === undefined ? undefined : [...fn.batchShape, ...event];
}

/** The draw of `fn` for standard normal noise `eps` of shape `noiseShape(fn)`. */
export function drawFromNoise(fn: Distribution, eps: tf.Tensor): tf.Tensor {
  if (fn instanceof NormalDistribution) return tf.add(fn.loc, tf.mul(fn.scale, eps));
  if (hasOwnNoise(fn)) return fn.fromNoise(eps);
  if (fn instanceof ExpandedDistribution || fn instanceof Masked || fn instanceof Independent) {
    const x = drawFromNoise(fn.base, eps);
    const target = fn.shape();
    return x.shape.length === target.length && x.shape.every((d, i) => d === target[i])
      ? x
      : tf.broadcastTo(x, target);
  }
  throw new Error(`drawFromNoise: ${fn.family} is not a location-scale family of normal noise`);
}

/**
 * Where the noise of one loss evaluation comes from: slices of a given flat tensor, or (when
 * discovering how much noise a guide needs) fresh values from a function.
 *
 * @example
 * const source = NoiseSource.fromTensor(tf.tensor([0.1, -0.4, 1.2, 0.7]));
 * const eps = source.take([3], "z"); // the next 3 values, shaped [3], for site "z"
 */
export class NoiseSource {
  private offset = 0;

  private constructor(
    private readonly flat: tf.Tensor | null,
    private readonly fresh: ((size: number) => tf.Tensor) | null,
  ) {}

  /** Noise taken, in order, from the flat tensor `noise` (1-D). */
  static fromTensor(noise: tf.Tensor): NoiseSource {
    return new NoiseSource(noise, null);
  }

  /** Noise made on demand by `make` (used once, to measure a guide's noise dimension). */
  static counting(make: (size: number) => tf.Tensor): NoiseSource {
    return new NoiseSource(null, make);
  }

  /** Number of noise values used so far. */
  get used(): number {
    return this.offset;
  }

  /** The next `sizeOf(shape)` noise values, as a tensor of `shape`. */
  take(shape: readonly number[], site: string): tf.Tensor {
    const size = sizeOf(shape);
    const start = this.offset;
    this.offset += size;
    if (this.fresh !== null) return tf.reshape(this.fresh(size), shape as number[]);
    const flat = this.flat as tf.Tensor;
    if (this.offset > flat.size) {
      throw new ModelError({
        message: `SVI: the guide's site "${site}" needs more noise than the ${flat.size} values measured when SVI was initialized; guides must draw the same sites with the same shapes at every step`,
        site,
      });
    }
    return tf.reshape(tf.slice(flat, [start], [size]), shape as number[]);
  }
}

/**
 * Draws the guide's latent Gaussian sample sites from `source` instead of from their keys.
 *
 * @example
 * const noise = tf.tensor([0.3]); // one standard normal per noise draw of the guide
 * const guideWithNoise = withNoise(guide, NoiseSource.fromTensor(noise));
 */
export function withNoise<A extends any[], R>(
  model: Model<A, R>,
  source: NoiseSource,
): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.type !== "sample" || msg.isObserved || msg.value !== null) return;
      const shape = noiseShape(msg.fn);
      if (shape === undefined) return;
      msg.value = drawFromNoise(msg.fn, source.take(shape, msg.name));
    },
  }));
}
