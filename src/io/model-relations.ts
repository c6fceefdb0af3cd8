/**
 * The structure of a model as a graph (NumPyro's `get_model_relations`): its sites, the plates
 * that hold them, and which site values flow into which sites' distributions.
 *
 * The edges come from the data flow, not from names. The model runs once on the compiled
 * engine's recording backend, which reports every tfjs kernel with its input and output
 * tensors; a listener propagates, for every tensor, the set of sites whose values it was
 * computed from (its provenance). Each latent, deterministic and param value is replaced by a
 * fresh copy tagged with its own name, so that a site's provenance stops at the sites it uses
 * directly. A sample site's parents are the provenance of its log-density at its value (minus
 * itself), a deterministic site's the provenance of its value.
 */
import type { DataId, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs-core";
import { withRecordingBackend } from "../compile/backend.js";
import { seed } from "../handlers/seed.js";
import type { Message } from "../primitives/messages.js";
import { type Model, run, wrap } from "../primitives/runtime.js";
import { float64Of, rememberFloat64, tf } from "../tf.js";

/** What a site is, for drawing. */
export type SiteKind = "latent" | "observed" | "factor" | "deterministic" | "param";

/** One site of the graph. */
export interface ModelSite {
  name: string;
  kind: SiteKind;
  /** The distribution's family ("Normal"), for sample sites. */
  distribution?: string;
  /** The plates holding the site, outermost first. */
  plates: string[];
  /** The sites whose values its distribution (or its value, for deterministic sites) uses. */
  parents: string[];
}

/** A plate of the model. */
export interface ModelPlate {
  name: string;
  size: number;
}

/** A model's sites (in the order it visits them), plates and dependencies. */
export interface ModelRelations {
  sites: ModelSite[];
  plates: ModelPlate[];
}

/**
 * Runs `model(...args)` once (latent sites drawn with seed 0) and returns its sites, plates
 * and the data-flow dependencies between sites.
 *
 * @example
 * const relations = getModelRelations(eightSchools, [sigma, y]);
 * relations.sites.find((s) => s.name === "y")?.parents; // ["theta"]
 */
export function getModelRelations<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
): ModelRelations {
  return withRecordingBackend(
    () => new ProvenanceListener(),
    (provenance) => {
      const sites: ModelSite[] = [];
      const plates = new Map<string, ModelPlate>();
      const recorded = wrap(model, () => ({
        postprocess(msg: Message) {
          if (msg.type === "plate" || msg.value === null) return;
          // Plates are listed innermost first; the plates of vmap have no name to draw.
          const frames = msg.plates.slice().reverse();
          for (const f of frames)
            if (!plates.has(f.name)) plates.set(f.name, { name: f.name, size: f.size });
          const site: ModelSite = {
            name: msg.name,
            kind: "latent",
            plates: frames.map((f) => f.name),
            parents: [],
          };
          let uses: Set<string>;
          if (msg.type === "sample") {
            site.distribution = msg.fn.family;
            site.kind =
              msg.fn.family === "Unit" ? "factor" : msg.isObserved ? "observed" : "latent";
            if (!msg.isObserved) msg.value = provenance.tag(msg.value, msg.name);
            uses = provenance.of(msg.fn.logProb(msg.value));
          } else if (msg.type === "deterministic") {
            site.kind = "deterministic";
            uses = provenance.of(msg.value);
            msg.value = provenance.tag(msg.value, msg.name);
          } else {
            site.kind = "param";
            uses = new Set();
            msg.value = provenance.tag(msg.value, msg.name);
          }
          site.parents = [...uses].filter((name) => name !== msg.name);
          sites.push(site);
        },
      }));
      run(seed(recorded, 0), ...args);
      // Parents in the order the model visits them.
      const order = new Map(sites.map((s, i) => [s.name, i]));
      for (const s of sites) s.parents.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
      return { sites, plates: [...plates.values()] };
    },
  );
}

/** Tracks, for every tensor the recording backend sees, the sites its values came from. */
class ProvenanceListener {
  private readonly sources = new Map<DataId, ReadonlySet<string>>();

  onKernel(
    _kernelName: string,
    inputs: NamedTensorInfoMap,
    _attrs: unknown,
    outputs: TensorInfo[],
  ): void {
    const union = new Set<string>();
    for (const info of Object.values(inputs)) {
      if (info == null) continue;
      for (const name of this.sources.get(info.dataId) ?? []) union.add(name);
    }
    if (union.size === 0) return;
    for (const out of outputs) {
      const known = this.sources.get(out.dataId);
      this.sources.set(out.dataId, known === undefined ? union : new Set([...known, ...union]));
    }
  }

  onRead(): void {}

  /** The sites a tensor was computed from. */
  of(t: tf.Tensor): Set<string> {
    return new Set(this.sources.get(t.dataId) ?? []);
  }

  /** A copy of `t` (new data, same values) whose provenance is the site `name` alone. */
  tag(t: tf.Tensor, name: string): tf.Tensor {
    const copy = tf.tensor(t.dataSync(), t.shape, t.dtype);
    const exact = float64Of(t);
    if (exact !== undefined) rememberFloat64(copy, exact);
    this.sources.set(copy.dataId, new Set([name]));
    return copy;
  }
}
