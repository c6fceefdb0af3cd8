/**
 * Analytic KL divergences for `TraceMeanFieldELBO`, behind a hook.
 *
 * A `KLDivergence` returns KL(q || p) (one value per batch element), or undefined when it has
 * no closed form for the pair; the ELBO then falls back to the Monte Carlo term
 * log q(z) - log p(z) for that site. The default asks the distribution library's registry
 * (`kl`, extended with `registerKL`).
 */
import type { Distribution } from "../../dist/distribution.js";
import { hasKL, kl } from "../../dist/kl.js";
import type { tf } from "../../tf.js";

/** KL(q || p) per batch element, or undefined when there is no closed form for the pair. */
export type KLDivergence = (q: Distribution, p: Distribution) => tf.Tensor | undefined;

/**
 * The KL hook `TraceMeanFieldELBO` uses by default: the registry's closed form, if any.
 *
 * @example
 * defaultKLDivergence(Normal(0, 1), Normal(1, 2)); // log 2 + (1 + 1) / 8 - 0.5 = 0.4431
 */
export const defaultKLDivergence: KLDivergence = (q, p) => (hasKL(q, p) ? kl(q, p) : undefined);
