/**
 * `NeuTraReparam`: neural-transport reparameterization with a fitted flat autoguide (Hoffman
 * et al. 2019, "NeuTra-lizing bad geometry in Hamiltonian Monte Carlo using neural
 * transport"). The guide's map from standard normal noise to the unconstrained latent vector,
 * x = loc + L z for the Gaussian autoguides, preconditions the model: the sampler draws the
 * shared latent z, every latent site becomes the deterministic T(x_site) of its slice of x,
 * and factors carry the model's density in z (the site's log-density, the log-Jacobian of its
 * transform T and, once, log |det L|). Where the guide fits, z's posterior is close to N(0, I).
 */
import { bijectTo } from "../../dist/biject-to.js";
import { Normal } from "../../dist/normal.js";
import { sumRightmostTo } from "../../dist/transforms.js";
import { ArgumentError } from "../../errors.js";
import {
  type Reparam,
  type ReparamRun,
  type RewrittenSite,
  reparam,
} from "../../handlers/reparam.js";
import { factor, sample } from "../../primitives/effects.js";
import type { Message } from "../../primitives/messages.js";
import type { Model } from "../../primitives/runtime.js";
import { constant, tf } from "../../tf.js";
import type { GaussianPosterior } from "../svi/autoguide/auto-continuous.js";
import type { AutoGuide, SiteValues } from "../svi/autoguide/base.js";

/** A fitted flat autoguide: AutoDiagonalNormal, AutoMultivariateNormal, ... */
type FlatGuide = AutoGuide & { getPosterior(params?: SiteValues): GaussianPosterior };

/** Options of `NeuTraReparam`. */
export interface NeuTraReparamOptions {
  /** The guide's fitted params (default: those of its latest `svi.run`). */
  params?: SiteValues;
  /** Name of the shared latent site (default "auto_shared_latent", as NumPyro's). */
  latentName?: string;
}

/** A NeuTra reparameterizer and the model it rewrites. */
export interface NeuTra extends Reparam {
  /** `model` with every latent site of the guide drawn through the shared latent. */
  reparam<A extends any[], R>(model: Model<A, R>): Model<A, R>;
  /** The shared latent's name. */
  readonly latentName: string;
}

/**
 * Preconditions a model with a flat autoguide fitted to it.
 *
 * @example
 * const guide = AutoMultivariateNormal(model);
 * new SVI(model, guide, Adam(0.01), TraceELBO()).run(PRNGKey(0), 2000, data);
 * const neutra = NeuTraReparam(guide);
 * const mcmc = new MCMC(new NUTS(neutra.reparam(model)), { numWarmup: 500, numSamples: 500 });
 * await mcmc.run(PRNGKey(1), data); // draws of auto_shared_latent and of every original site
 */
export function NeuTraReparam(guide: FlatGuide, options: NeuTraReparamOptions = {}): NeuTra {
  if (typeof (guide as Partial<FlatGuide>).getPosterior !== "function") {
    throw new ArgumentError({
      message: `NeuTraReparam: the guide must be a flat autoguide (AutoDiagonalNormal, AutoMultivariateNormal, AutoLowRankMultivariateNormal, AutoLaplaceApproximation), got ${(guide as AutoGuide).guideName ?? typeof guide}`,
      api: "NeuTraReparam",
      argument: "guide",
    });
  }
  const posterior = guide.getPosterior(options.params);
  const sites = guide.latentSites();
  const index = new Map(sites.map((s, i) => [s.name, i]));
  const dim = posterior.dim;
  let logDetL = 0;
  for (let i = 0; i < dim; i++) logDetL += Math.log(posterior.scaleTril[i * dim + i]);
  const latentName = options.latentName ?? "auto_shared_latent";

  // x = loc + L z for z of shape [..., D].
  function* sharedLatent(): Generator<Message, tf.Tensor, unknown> {
    const z = yield* sample(latentName, Normal(0, 1).expand([dim]).toEvent(1).mask(false));
    const l = tf.reshape(constant(posterior.scaleTril), [dim, dim]);
    return tf.add(constant(posterior.loc), tf.sum(tf.mul(l, tf.expandDims(z, -2)), -1));
  }

  const self: NeuTra = {
    name: "NeuTraReparam",
    latentName,
    *apply(site: RewrittenSite, run: ReparamRun) {
      const i = index.get(site.name);
      if (i === undefined) return undefined;
      const state = run.state(self, () => ({ x: undefined as tf.Tensor | undefined }));
      let extra: tf.Tensor | number = 0;
      if (state.x === undefined) {
        state.x = yield* sharedLatent();
        extra = logDetL;
      }
      const x = state.x;
      const { offset, size } = posterior.layout.sites[i];
      const batch = x.shape.slice(0, -1);
      const slice = tf.slice(x, [...batch.map(() => 0), offset], [...batch, size]);
      const u = tf.reshape(slice, [...batch, ...sites[i].unconstrainedShape]);
      const transform = bijectTo(site.fn.support);
      const value = transform.forward(u);
      const logProb = site.fn.logProb(value);
      const logDet = sumRightmostTo(transform.logAbsDetJacobian(u, value), logProb.rank);
      yield* factor(`_${site.name}_log_prob`, tf.add(tf.add(logProb, logDet), extra));
      return value;
    },
    reparam: (model) =>
      reparam(model, { config: (msg) => (index.has(msg.name) ? self : undefined) }),
  };
  return self;
}
