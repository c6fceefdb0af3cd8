/**
 * Checks that a guide fits its model: a guide is a model whose sample sites are the model's
 * latent sites (plus auxiliary sites of its own), each drawn with a reparameterized sampler.
 */
import { ModelError } from "../../errors.js";
import type { Trace } from "../../handlers/trace.js";
import type { SampleSite } from "../../primitives/messages.js";
import { isEnumerated } from "../enum/log-joint.js";
import { isAuxiliary } from "./elbo.js";

const isFactor = (site: SampleSite): boolean => site.fn.family === "Unit";

/**
 * Throws a ModelError naming the site when the guide misses a latent site of the model,
 * samples a site the model lacks or observes, or draws a site without reparameterization.
 * `modelTrace` is the model's run with the guide's trace replayed into it. With `enumerating`
 * (TraceEnumELBO) the model's sites marked for enumeration are the loss's, not the guide's.
 */
export function checkGuideMatchesModel(
  api: string,
  guideTrace: Trace,
  modelTrace: Trace,
  enumerating = false,
): void {
  const guideSites = guideTrace.sampleSites().filter((s) => !isAuxiliary(s));
  const guideNames = new Set(guideSites.map((s) => s.name));
  const modelSites = new Map(modelTrace.sampleSites().map((s) => [s.name, s]));
  const summedOut = (s: SampleSite) => enumerating && isEnumerated(s);
  const latent = [...modelSites.values()].filter(
    (s) => !s.isObserved && !isFactor(s) && !summedOut(s),
  );

  for (const site of latent) {
    if (!guideNames.has(site.name)) {
      throw new ModelError({
        message:
          `${api}: the guide has no sample site for the model's latent site "${site.name}"; ` +
          `a guide must sample every latent site of the model (guide sample sites: ${list(guideNames)})`,
        site: site.name,
      });
    }
  }
  for (const site of guideSites) {
    const modelSite = modelSites.get(site.name);
    if (modelSite === undefined) {
      throw new ModelError({
        message:
          `${api}: the guide's sample site "${site.name}" is not a site of the model; ` +
          `guide sample sites must be latent sites of the model (model latent sites: ${list(latent.map((s) => s.name))})`,
        site: site.name,
      });
    }
    if (summedOut(modelSite)) {
      throw new ModelError({
        message: `${api}: the guide samples "${site.name}", which the model marks for enumeration; the loss sums enumerated sites out of the model, so the guide must leave them alone (enumerating guide sites is not supported)`,
        site: site.name,
      });
    }
    if (modelSite.isObserved) {
      throw new ModelError({
        message: `${api}: the guide samples "${site.name}", which the model observes; guide sample sites must be latent sites of the model`,
        site: site.name,
      });
    }
    if (!site.fn.hasRsample) {
      throw new ModelError({
        message:
          `${api}: the guide draws "${site.name}" from ${site.fn.family}, which has no reparameterized sampler; ` +
          "the ELBO gradients here need reparameterized guide sites (score-function estimators are not implemented)",
        site: site.name,
      });
    }
  }
}

function list(names: Iterable<string>): string {
  const all = [...names].map((n) => `"${n}"`);
  return all.length === 0 ? "none" : all.join(", ");
}
