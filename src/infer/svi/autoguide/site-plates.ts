/**
 * Plates in per-site autoguides (AutoNormal, AutoDelta): each guide site sits in the same
 * plates as its model site, so that its log-density gets the same subsampling scale, and a
 * local parameter (one entry per plate index) is cut down to the subsample in use. Every plate
 * is subsampled once per guide run; the model then replays those indices.
 */
import type { Message } from "../../../primitives/messages.js";
import { plate } from "../../../primitives/plate.js";
import { handle } from "../../../primitives/runtime.js";
import { tf } from "../../../tf.js";
import type { LatentSite } from "./prototype.js";

/**
 * Runs `siteGuide` for every site in turn, so that re-entering a plate reuses the indices of
 * its first entry.
 *
 * @example
 * yield* forEachSite(proto.sites, (site) => this.siteGuide(site));
 */
export function* forEachSite(
  sites: readonly LatentSite[],
  siteGuide: (site: LatentSite) => Generator<Message, void, unknown>,
): Generator<Message, void, unknown> {
  const indices = new Map<string, tf.Tensor>();
  const body = function* () {
    for (const site of sites) yield* siteGuide(site);
  };
  yield* handle(body(), {
    process(msg) {
      if (msg.type === "plate" && msg.value === null) {
        const known = indices.get(msg.name);
        if (known !== undefined) msg.value = known;
      }
    },
    postprocess(msg) {
      if (msg.type === "plate" && msg.value !== null) indices.set(msg.name, msg.value);
    },
  });
}

/** Runs `body` inside the site's plates (outermost first), passing the indices of each plate. */
export function* inSitePlates<R>(
  site: LatentSite,
  body: (indices: ReadonlyMap<string, tf.Tensor>) => Generator<Message, R, unknown>,
): Generator<Message, R, unknown> {
  const indices = new Map<string, tf.Tensor>();
  const open = function* (level: number): Generator<Message, R, unknown> {
    if (level === site.plates.length) return yield* body(indices);
    const frame = site.plates[level];
    return yield* plate(
      frame.name,
      frame.size,
      function* (idx) {
        indices.set(frame.name, idx);
        return yield* open(level + 1);
      },
      { subsampleSize: frame.subsampleSize, dim: frame.dim },
    );
  };
  return yield* open(0);
}

/** A local parameter (full plate sizes) cut down to the plates' current subsample indices. */
export function subsampleParam(
  site: LatentSite,
  value: tf.Tensor,
  indices: ReadonlyMap<string, tf.Tensor>,
): tf.Tensor {
  let out = value;
  for (const frame of site.plates) {
    if (frame.subsampleSize === frame.size) continue;
    const idx = indices.get(frame.name);
    if (idx !== undefined) out = tf.gather(out, idx, site.batchShape.length + frame.dim);
  }
  return out;
}
