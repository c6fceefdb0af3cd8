/**
 * `plate`: conditionally independent dimensions. Sites inside a plate broadcast to its size
 * at its dim; with subsampling their log-probabilities are scaled by size/subsampleSize.
 */
import { ArgumentError, ModelError } from "../errors.js";
import type { tf } from "../tf.js";
import { formatShape, shapesEqual, tryBroadcastShapes } from "../util/shapes.js";
import type { Message, PlateFrame, PlateMessage } from "./messages.js";
import { type Handler, handle } from "./runtime.js";
import { multiplyScale } from "./scale-mask.js";

/** Options of `plate`. */
export interface PlateOptions {
  /** Use a random subset of this many indices; log-probabilities are scaled by size/subsampleSize. */
  subsampleSize?: number;
  /** The (negative) batch dimension; by default the first free one from the right. */
  dim?: number;
}

/**
 * Runs `body` inside a plate of `size` independent copies. `body` receives the indices in use
 * (all of 0..size-1, or the random subsample).
 *
 * @example
 * const theta = yield* plate("school", 8, function* () {
 *   return yield* sample("theta", Normal(mu, tau)); // shape [8]
 * });
 */
export function* plate<R>(
  name: string,
  size: number,
  body: (indices: tf.Tensor) => Generator<Message, R, unknown>,
  options: PlateOptions = {},
): Generator<Message, R, unknown> {
  const subsampleSize = options.subsampleSize ?? size;
  checkPlateArguments(name, size, subsampleSize, options.dim);
  const msg: PlateMessage = {
    type: "plate",
    name,
    size,
    subsampleSize,
    value: null,
    key: null,
    plates: [],
    stop: false,
  };
  yield msg;
  const occupied = new Map(msg.plates.map((f) => [f.dim, f.name]));
  let dim = options.dim;
  if (dim === undefined) {
    dim = -1;
    while (occupied.has(dim)) dim--;
  } else if (occupied.has(dim)) {
    throw new ModelError({
      message: `plate("${name}"): dim ${dim} is already used by the enclosing plate "${occupied.get(dim)}"`,
      site: name,
    });
  }
  const frame: PlateFrame = { name, size, subsampleSize, dim };
  return yield* handle(body(msg.value as tf.Tensor), plateHandler(frame));
}

/**
 * The handler of a plate frame: records the frame on every message and broadcasts sample
 * sites' batch shapes to the plates around them. `vmap` uses it with a frame of its own.
 */
export function plateHandler(frame: PlateFrame): Handler {
  return {
    process(msg) {
      msg.plates.push(frame);
      if (msg.type !== "sample") return;
      const expected = batchShapeOfPlates(msg.plates);
      const batch = msg.fn.batchShape;
      const overlap = Math.max(expected.length - batch.length, 0);
      const trailing = tryBroadcastShapes(expected.slice(overlap), batch);
      if (trailing === undefined) {
        throw new ModelError({
          message:
            `plate("${frame.name}"): site "${msg.name}" has batch shape ${formatShape(batch)}, which does not ` +
            `broadcast with the plates' shape ${formatShape(expected)} (plate "${frame.name}" has size ` +
            `${frame.subsampleSize} at dim ${frame.dim}); index from the right and give each plate its own dim`,
          site: msg.name,
        });
      }
      const target = [...expected.slice(0, overlap), ...trailing];
      if (!shapesEqual(target, batch)) msg.fn = msg.fn.expand(target);
      if (frame.subsampleSize !== frame.size) {
        msg.scale = multiplyScale(msg.scale, frame.size / frame.subsampleSize);
      }
    },
  };
}

// The batch shape that a set of plate frames requires, e.g. dims -1 (size 8) and -3 (size 2) give [2, 1, 8].
function batchShapeOfPlates(frames: readonly PlateFrame[]): number[] {
  const rank = Math.max(0, ...frames.map((f) => -f.dim));
  const shape = new Array<number>(rank).fill(1);
  for (const f of frames) shape[rank + f.dim] = f.subsampleSize;
  return shape;
}

function checkPlateArguments(
  name: string,
  size: number,
  subsampleSize: number,
  dim: number | undefined,
): void {
  if (!Number.isInteger(size) || size < 1) {
    throw new ArgumentError({
      message: `plate("${name}"): size must be a positive integer, got ${size}`,
      api: "plate",
      argument: "size",
    });
  }
  if (!Number.isInteger(subsampleSize) || subsampleSize < 1 || subsampleSize > size) {
    throw new ArgumentError({
      message: `plate("${name}"): subsampleSize must be an integer in [1, ${size}], got ${subsampleSize}`,
      api: "plate",
      argument: "subsampleSize",
    });
  }
  if (dim !== undefined && (!Number.isInteger(dim) || dim >= 0)) {
    throw new ArgumentError({
      message: `plate("${name}"): dim must be a negative integer, got ${dim}`,
      api: "plate",
      argument: "dim",
    });
  }
}
