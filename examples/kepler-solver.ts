/**
 * Kepler's equation M = E - e sin E, solved for the eccentric anomaly E, as a custom op whose
 * derivative rule comes from the implicit function theorem: differentiating the equation gives
 * dM = (1 - e cos E) dE - sin E de, so
 *   dE/dM = 1 / (1 - e cos E),   dE/de = sin E / (1 - e cos E).
 * This is the case from the forum thread that motivated Tyche: the user's rule for dE/de was
 * sin(E) E / (1 - e cos E), and their sampler silently ignored it anyway.
 */
import { defineOp, type Op } from "../src/compile/index.js";

/**
 * E solving M = E - e sin E, for 0 <= e < 1, to about 1e-15. M is reduced to [-pi, pi),
 * started at M + 0.85 e sign(sin M) (Danby 1988), and refined by Newton's method.
 *
 * @example
 * solveKepler(1.0, 0.3); // 1.3531...
 */
export function solveKepler(M: number, e: number): number {
  const turns = Math.floor((M + Math.PI) / (2 * Math.PI));
  const m = M - turns * 2 * Math.PI;
  let E = m + 0.85 * e * Math.sign(Math.sin(m));
  for (let i = 0; i < 60; i++) {
    const f = E - e * Math.sin(E) - m;
    const step = f / (1 - e * Math.cos(E));
    E -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(E))) break;
  }
  return E + turns * 2 * Math.PI;
}

/** Which rule for dE/de: the correct one, or the forum thread's wrong one. */
export type KeplerRule = "correct" | "forum";

/**
 * The op `keplerE(M, e)`, elementwise with broadcasting. `rule: "forum"` gives the wrong
 * derivative sin(E) E / (1 - e cos E), kept to show that `checkGrad` catches it.
 *
 * @example
 * const keplerE = makeKeplerOp();
 * const E = keplerE(meanAnomaly, eccentricity);
 */
export function makeKeplerOp(
  rule: KeplerRule = "correct",
  name = rule === "correct" ? "keplerE" : "keplerE.forumRule",
): Op {
  return defineOp({
    name,
    inputs: ["M", "e"],
    forward: ([M, e]) => M.map((m, i) => solveKepler(m, e[i])),
    vjp: ([, e], _shapes, E, dy) => {
      const dM = new Float64Array(E.length);
      const de = new Float64Array(E.length);
      for (let i = 0; i < E.length; i++) {
        const dEdM = 1 / (1 - e[i] * Math.cos(E[i]));
        dM[i] = dy[i] * dEdM;
        de[i] = dy[i] * Math.sin(E[i]) * dEdM * (rule === "forum" ? E[i] : 1);
      }
      return [dM, de];
    },
  });
}

/** The Kepler op with the correct rule. */
export const keplerE: Op = makeKeplerOp("correct");
