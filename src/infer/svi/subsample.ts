/**
 * Plate subsample indices as an explicit input of the ELBO.
 *
 * A plate with `subsampleSize < size` draws its indices from its key by default. Under SVI
 * they come instead from one flat tensor that the caller passes in (drawn in JavaScript at
 * every step), like the guide's noise: the loss stays a pure function
 * `(params, noise, subsample) => elbo`, which the compiled engine compiles once and evaluates
 * with fresh indices at every step (DESIGN.md section 4). A plate entered twice in one run (by
 * the guide and by the model, or twice in the model) gets the same indices both times.
 */
import { ModelError } from "../../errors.js";
import type { Key } from "../../primitives/prng.js";
import { foldIn } from "../../primitives/prng.js";
import { type Model, wrap } from "../../primitives/runtime.js";
import { subsampleIndices } from "../../primitives/subsample.js";
import { tf } from "../../tf.js";

/** A subsampled plate of the objective, and where its indices sit in the flat input. */
export interface SubsamplePlate {
  readonly name: string;
  readonly size: number;
  readonly subsampleSize: number;
  /** Offset of the plate's indices in the flat subsample input. */
  readonly offset: number;
}

/**
 * Where one evaluation's subsample indices come from: slices of a given flat tensor, or (when
 * discovering the plates) fresh draws that are recorded.
 *
 * @example
 * const plates = [{ name: "data", size: 1000, subsampleSize: 3, offset: 0 }];
 * const source = SubsampleSource.fromTensor(tf.tensor([4, 512, 87]), plates);
 * const idx = source.take("data", 1000, 3); // int32 [3]
 */
export class SubsampleSource {
  private readonly seen = new Map<string, tf.Tensor>();
  private readonly found: SubsamplePlate[] = [];

  private constructor(
    private readonly flat: tf.Tensor | null,
    private readonly plates: readonly SubsamplePlate[],
    private readonly key: Key | null,
  ) {}

  /** Indices from the flat tensor `indices` (1-D, float), laid out by `plates`. */
  static fromTensor(indices: tf.Tensor, plates: readonly SubsamplePlate[]): SubsampleSource {
    return new SubsampleSource(indices, plates, null);
  }

  /** Indices drawn from `key`, recording the plates met (used once, to lay out the input). */
  static discovering(key: Key): SubsampleSource {
    return new SubsampleSource(null, [], key);
  }

  /** The plates met so far, in order (discovering mode). */
  get discovered(): readonly SubsamplePlate[] {
    return this.found;
  }

  /** The int32 indices of the plate `name` for this evaluation. */
  take(name: string, size: number, subsampleSize: number): tf.Tensor {
    const known = this.seen.get(name);
    if (known !== undefined) {
      if (known.size !== subsampleSize) throw mismatch(name, known.size, subsampleSize);
      return known;
    }
    let indices: tf.Tensor;
    if (this.key !== null) {
      const drawn = subsampleIndices(foldIn(this.key, this.found.length), size, subsampleSize);
      const offset = this.found.reduce((n, p) => n + p.subsampleSize, 0);
      this.found.push({ name, size, subsampleSize, offset });
      indices = tf.tensor1d(drawn, "int32");
    } else {
      const plate = this.plates.find((p) => p.name === name);
      if (plate === undefined || plate.size !== size || plate.subsampleSize !== subsampleSize) {
        throw new ModelError({
          message: `SVI: the plate "${name}" (size ${size}, subsampleSize ${subsampleSize}) was not subsampled that way when SVI was initialized; models and guides must open the same subsampled plates at every step`,
          site: name,
        });
      }
      const flat = this.flat as tf.Tensor;
      indices = tf.cast(tf.slice(flat, [plate.offset], [subsampleSize]), "int32");
    }
    this.seen.set(name, indices);
    return indices;
  }
}

function mismatch(name: string, first: number, second: number): ModelError {
  return new ModelError({
    message: `SVI: the plate "${name}" is subsampled to ${first} indices in one place and ${second} in another; one plate needs one subsample size`,
    site: name,
  });
}

/**
 * Fresh indices for every subsampled plate, as one flat array laid out by `plates`.
 *
 * @example
 * const indices = drawSubsample(key, [{ name: "data", size: 1000, subsampleSize: 3, offset: 0 }]);
 * indices.length; // 3: which rows of "data" this step sees
 */
export function drawSubsample(key: Key, plates: readonly SubsamplePlate[]): Float64Array {
  const out = new Float64Array(plates.reduce((n, p) => n + p.subsampleSize, 0));
  plates.forEach((p, i) => {
    out.set(subsampleIndices(foldIn(key, i), p.size, p.subsampleSize), p.offset);
  });
  return out;
}

/**
 * Gives subsampled plates their indices from `source` instead of from their keys.
 *
 * @example
 * const plates = [{ name: "data", size: 1000, subsampleSize: 3, offset: 0 }];
 * const indices = tf.tensor([4, 512, 87]);
 * const guideRun = withSubsample(guide, SubsampleSource.fromTensor(indices, plates));
 */
export function withSubsample<A extends any[], R>(
  model: Model<A, R>,
  source: SubsampleSource,
): Model<A, R> {
  return wrap(model, () => ({
    process(msg) {
      if (msg.type !== "plate" || msg.value !== null || msg.subsampleSize === msg.size) return;
      msg.value = source.take(msg.name, msg.size, msg.subsampleSize);
    },
  }));
}
