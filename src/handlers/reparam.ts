/**
 * `reparam`: rewrites chosen sample sites of a model into other sites plus a deterministic
 * function of them (NumPyro's `handlers.reparam`). The classic use is the non-centred
 * parameterization of a hierarchical model, `LocScaleReparam(0)`, which turns the funnel of
 * eight schools into independent normals for NUTS (Papaspiliopoulos, Roberts & Sköld 2007;
 * Gorinova, Moore & Hoffman 2020 for the partially centred family).
 *
 * The rewritten site keeps its name as a deterministic site, so draws look as if the model
 * were unchanged (plus the auxiliary sites the reparameterizer adds). Auxiliary sites sit in
 * the same plates, with the same subsampling scale and mask, as the site they replace, and
 * pass through the same reparam handler (so they can be reparameterized in turn).
 */
import type { Distribution } from "../dist/distribution.js";
import { ModelError } from "../errors.js";
import type { DeterministicMessage, Message, SampleMessage } from "../primitives/messages.js";
import type { Model } from "../primitives/runtime.js";
import type { tf } from "../tf.js";

/**
 * Scratch space of one model run, for reparameterizers that share work across sites (NeuTra
 * draws one shared latent for all of them).
 *
 * @example
 * // inside a Reparam's apply(site, run), with the reparam itself as the owner:
 * const run = new ReparamRun();
 * const owner = {};
 * const shared = run.state(owner, () => ({ latent: undefined as tf.Tensor | undefined }));
 * run.state(owner, () => ({ latent: undefined })) === shared; // true: one value per run
 */
export class ReparamRun {
  private readonly slots = new Map<object, unknown>();

  /** The value kept for `owner` in this run, made by `make` on first use. */
  state<T>(owner: object, make: () => T): T {
    if (!this.slots.has(owner)) this.slots.set(owner, make());
    return this.slots.get(owner) as T;
  }
}

/**
 * A reparameterizer: draws a latent sample site differently and gives its value.
 *
 * `apply` yields the auxiliary sites (with `sample`, `factor` or `param`) and returns the
 * value of the rewritten site, which becomes a deterministic site of that value; or yields
 * nothing and returns undefined to leave the site as it is. It is called for latent sites only.
 */
export interface Reparam {
  /** "LocScaleReparam", ... (for messages). */
  readonly name: string;
  apply(site: RewrittenSite, run: ReparamRun): Generator<Message, tf.Tensor | undefined, unknown>;
}

/** What a reparameterizer sees of the site it rewrites. */
export interface RewrittenSite {
  readonly name: string;
  readonly fn: Distribution;
}

/** Which sites to rewrite, and how: by name, or a function of the sample message. */
export type ReparamConfig =
  | Readonly<Record<string, Reparam>>
  | ((msg: SampleMessage) => Reparam | undefined);

/** Options of `reparam`. */
export interface ReparamOptions {
  config: ReparamConfig;
}

/**
 * The model with the sites that `config` names rewritten by their reparameterizers.
 *
 * @example
 * // Eight schools, centred as written, sampled non-centred.
 * const noncentred = reparam(eightSchools, { config: { theta: LocScaleReparam(0) } });
 * await new MCMC(new NUTS(noncentred), { numWarmup: 500, numSamples: 500 }).run(PRNGKey(0), sigma, y);
 * // draws of theta_decentered (the new latent site) and of theta (deterministic)
 */
export function reparam<A extends any[], R>(
  model: Model<A, R>,
  options: ReparamOptions,
): Model<A, R> {
  const { config } = options;
  const pick =
    typeof config === "function"
      ? config
      : (msg: SampleMessage) => (Object.hasOwn(config, msg.name) ? config[msg.name] : undefined);
  return function* reparameterized(...args: A) {
    const run = new ReparamRun();
    const gen = model(...args);
    let next = gen.next();
    while (!next.done) {
      yield* visit(next.value, pick, run);
      next = gen.next();
    }
    return next.value;
  };
}

function* visit(
  msg: Message,
  pick: (msg: SampleMessage) => Reparam | undefined,
  run: ReparamRun,
): Generator<Message, void, unknown> {
  const rewriter = msg.type === "sample" && msg.fn.family !== "Unit" ? pick(msg) : undefined;
  if (msg.type !== "sample" || rewriter === undefined) {
    yield msg;
    return;
  }
  if (msg.isObserved || msg.value !== null) {
    throw new ModelError({
      message: `reparam: ${rewriter.name} cannot rewrite site "${msg.name}", which ${msg.isObserved ? "is observed" : "has a value given inside reparam"}; reparameterizers rewrite latent sites`,
      site: msg.name,
    });
  }
  const aux = rewriter.apply({ name: msg.name, fn: msg.fn }, run);
  let step = aux.next();
  while (!step.done) {
    const auxiliary = step.value;
    // The auxiliary sites live where the rewritten one did.
    auxiliary.plates = [...msg.plates];
    if (auxiliary.type === "sample") {
      auxiliary.scale = msg.scale;
      auxiliary.mask = msg.mask;
    }
    yield* visit(auxiliary, pick, run);
    step = aux.next();
  }
  if (step.value === undefined) {
    yield msg;
    return;
  }
  msg.value = step.value;
  const deterministic: DeterministicMessage = {
    type: "deterministic",
    name: msg.name,
    value: step.value,
    plates: [...msg.plates],
    stop: false,
  };
  yield deterministic;
}
