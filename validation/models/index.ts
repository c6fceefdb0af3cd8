/** The 15 posteriors of posteriordb (vendored in tests/oracles/posteriordb) as Tyche models, in the order of its index.json. */
import type { PosteriorDefinition } from "../posteriordb.js";
import { arK } from "./ar-k.js";
import { arma11 } from "./arma11.js";
import { earningsHeight } from "./earnings-height.js";
import { eightSchoolsCentered } from "./eight-schools-centered.js";
import { eightSchoolsNoncentered } from "./eight-schools-noncentered.js";
import { garch11 } from "./garch11.js";
import { gpPoisRegr } from "./gp-pois-regr.js";
import { gpRegr } from "./gp-regr.js";
import { hmmExample } from "./hmm-example.js";
import { kidiqInteraction } from "./kidiq-interaction.js";
import { kilpisjarvi } from "./kilpisjarvi.js";
import { logmesquite } from "./logmesquite.js";
import { lowDimGaussMix } from "./low-dim-gauss-mix.js";
import { nes2000 } from "./nes2000.js";
import { sblrcBlr } from "./sblrc-blr.js";

/** Every posterior, keyed by posteriordb name. */
export const POSTERIORS: readonly PosteriorDefinition[] = [
  eightSchoolsNoncentered,
  eightSchoolsCentered,
  kidiqInteraction,
  earningsHeight,
  logmesquite,
  kilpisjarvi,
  sblrcBlr,
  nes2000,
  arK,
  arma11,
  garch11,
  gpRegr,
  gpPoisRegr,
  lowDimGaussMix,
  hmmExample,
];

/**
 * The posterior named `name`.
 *
 * @example
 * posteriorNamed("arK-arK").scalars["beta[1]"]; // { site: "beta", index: 0 }
 */
export function posteriorNamed(name: string): PosteriorDefinition {
  const found = POSTERIORS.find((p) => p.posterior === name);
  if (found === undefined) {
    throw new Error(
      `posteriorNamed: no posterior "${name}"; known: ${POSTERIORS.map((p) => p.posterior).join(", ")}`,
    );
  }
  return found;
}
