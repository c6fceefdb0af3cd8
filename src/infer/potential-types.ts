/**
 * The GradientTarget type lives in the core (src/potential-types.ts), below compile/ and infer/
 * (tests/layers.test.ts); this re-export keeps the imports of infer/nuts and infer/mcmc working
 * and goes once they import the core file directly.
 */
export type { EngineName, GradientTarget } from "../potential-types.js";
