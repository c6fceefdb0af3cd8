/**
 * Random draws of a batched run that equal, draw by draw, those of separate runs: what lets a
 * vectorized `Predictive` give exactly the draws of the per-draw loop for the same key.
 *
 * Draw i of the loop runs the model under `seed(model, foldIn(key, i))`, so each of its sites
 * gets the next key split from that draw's own stream. The batched run keeps the same N streams
 * (`memberSeed`) and draws each site once per draw, from that draw's distribution with that
 * draw's key. A draw's distribution is cut out of the batched one with an unbatched run of the
 * model as the template: every tensor of the batched distribution that has more dims than the
 * template's tensor carries the batch in front, and its slice i, reshaped to the template's
 * shape, is draw i's parameter (`memberOf`). What cannot be cut this way is an error naming
 * the site.
 */
import { Distribution } from "../dist/distribution.js";
import { ModelError } from "../errors.js";
import type { Trace } from "../handlers/trace.js";
import { foldIn, type Key, split } from "../primitives/prng.js";
import { type Model, wrap } from "../primitives/runtime.js";
import { tf } from "../tf.js";
import { formatShape, shapesEqual } from "../util/shapes.js";

/**
 * Draw i's part of `batched`, laid out as `template` (the same thing from an unbatched run):
 * tensors are sliced at the batch index, objects rebuilt field by field, anything without
 * tensors taken from the template.
 *
 * @example
 * const d = memberOf(Normal(tf.zeros([4, 1]), 1), Normal(0, 1), 2, 4); // Normal(0, 1), draw 2's
 */
export function memberOf<T>(batched: T, template: T, i: number, size: number): T {
  return cut(batched, template, i, size, "distribution", 0) as T;
}

function cut(
  batched: unknown,
  template: unknown,
  i: number,
  size: number,
  path: string,
  depth: number,
): unknown {
  if (batched instanceof tf.Tensor) {
    if (!(template instanceof tf.Tensor)) throw new CutError(path, "is a tensor only batched");
    return cutTensor(batched, template, i, size, path);
  }
  if (batched === template || !hasTensor(batched, depth)) return template;
  if (typeof batched !== "object" || batched === null || depth > 8) return template;
  if (typeof template !== "object" || template === null) {
    throw new CutError(path, "differs in structure from the unbatched run");
  }
  if (Array.isArray(batched)) {
    const t = template as unknown[];
    if (!Array.isArray(t) || t.length !== batched.length) {
      throw new CutError(path, "differs in length from the unbatched run");
    }
    return batched.map((b, k) => cut(b, t[k], i, size, `${path}[${k}]`, depth + 1));
  }
  if (Object.getPrototypeOf(batched) !== Object.getPrototypeOf(template)) {
    throw new CutError(path, "is of another kind than in the unbatched run");
  }
  const out = Object.create(Object.getPrototypeOf(template)) as Record<string, unknown>;
  const b = batched as Record<string, unknown>;
  for (const [name, value] of Object.entries(template as Record<string, unknown>)) {
    out[name] = cut(b[name], value, i, size, `${path}.${name}`, depth + 1);
  }
  return out;
}

function cutTensor(
  batched: tf.Tensor,
  template: tf.Tensor,
  i: number,
  size: number,
  path: string,
): tf.Tensor {
  const extra = batched.rank - template.rank;
  const trailing = batched.shape.slice(Math.max(extra, 0));
  if (extra < 0 || !shapesEqual(trailing, template.shape)) {
    throw new CutError(
      path,
      `has shape ${formatShape(batched.shape)} batched but ${formatShape(template.shape)} unbatched`,
    );
  }
  if (extra === 0) return batched;
  const lead = batched.shape.slice(0, extra);
  if (lead.slice(1).some((d) => d !== 1) || (lead[0] !== size && lead[0] !== 1)) {
    throw new CutError(
      path,
      `has shape ${formatShape(batched.shape)}, not ${size} batched copies of ${formatShape(template.shape)}`,
    );
  }
  if (lead[0] === 1) return tf.reshape(batched, template.shape);
  const begin = batched.shape.map((_, k) => (k === 0 ? i : 0));
  const sizes = batched.shape.map((d, k) => (k === 0 ? 1 : d));
  return tf.reshape(tf.slice(batched, begin, sizes), template.shape);
}

function hasTensor(x: unknown, depth: number): boolean {
  if (x instanceof tf.Tensor) return true;
  if (typeof x !== "object" || x === null || depth > 8 || ArrayBuffer.isView(x)) return false;
  return Object.values(x as Record<string, unknown>).some((v) => hasTensor(v, depth + 1));
}

class CutError extends Error {
  constructor(path: string, why: string) {
    super(`its ${path} ${why}`);
  }
}

/**
 * Draws every site that needs randomness once per batch member, from that member's own key
 * stream (`foldIn(key, i)` for member i, split per site as `seed` splits), so that member i's
 * draws equal those of `seed(model, foldIn(key, i))` run alone. `template` is an unbatched
 * run of the same model (for the distributions' unbatched layout); `valueRank` is the largest
 * rank of its values (`vmap` at dim -1 - valueRank puts the member dim left of every value's
 * dims, so a value of rank r gets valueRank - r size-1 dims after it). Place it directly
 * inside `vmap`.
 *
 * @example
 * const batched = vmap(memberSeed(model, key, 100, probe, rank), { size: 100, dim: -1 - rank });
 */
export function memberSeed<A extends any[], R>(
  model: Model<A, R>,
  key: Key,
  size: number,
  template: Trace,
  valueRank: number,
): Model<A, R> {
  return wrap(model, () => {
    const streams = Array.from({ length: size }, (_, i) => foldIn(key, i));
    const nextKeys = (): Key[] =>
      streams.map((stream, i) => {
        const [rest, sub] = split(stream);
        streams[i] = rest;
        return sub;
      });
    return {
      process(msg) {
        if (msg.value !== null) return;
        if (msg.type === "param" && typeof msg.init === "function" && msg.key === null) {
          // One value for every member: the first member's key (its stream stays in step).
          msg.key = nextKeys()[0];
        } else if (msg.type === "plate" && msg.subsampleSize !== msg.size) {
          throw new ModelError({
            message: `Predictive (parallel): the plate "${msg.name}" subsamples, and each draw would take its own indices; use parallel: false`,
            site: msg.name,
          });
        } else if (msg.type === "sample" && !msg.isObserved) {
          const keys = nextKeys();
          const own = template.has(msg.name) ? template.get(msg.name) : undefined;
          if (own === undefined || own.type !== "sample") {
            throw new ModelError({
              message: `Predictive (parallel): the site "${msg.name}" is not a sample site of the unbatched run; the model's sites must not depend on the draw; use parallel: false`,
              site: msg.name,
            });
          }
          msg.value = drawEachMember(msg.name, msg.fn, own.fn, keys, own.value.shape, valueRank);
        }
      },
    };
  });
}

function drawEachMember(
  name: string,
  batched: Distribution,
  template: Distribution,
  keys: readonly Key[],
  ownShape: readonly number[],
  valueRank: number,
): tf.Tensor {
  const size = keys.length;
  const draws = keys.map((key, i) => {
    let member: Distribution;
    try {
      member = memberOf(batched, template, i, size);
    } catch (error) {
      throw new ModelError({
        message: `Predictive (parallel): cannot cut draw ${i}'s distribution of site "${name}" out of the batched one: ${(error as Error).message}; use parallel: false`,
        site: name,
      });
    }
    if (!(member instanceof Distribution)) throw new Error(`memberOf: site "${name}"`);
    return tf.reshape(member.sample(key), ownShape as number[]);
  });
  const padding = Math.max(0, valueRank - ownShape.length);
  return tf.reshape(tf.stack(draws), [size, ...new Array(padding).fill(1), ...ownShape]);
}
