import { describe, expect, it } from "vitest";
import { radialVelocity, runKepler, trueOrbit } from "./kepler.js";
import { keplerE, solveKepler } from "./kepler-solver.js";

describe("examples/kepler.ts", async () => {
  // The reference run: 2 chains x (1000 + 1000) with a fixed seed.
  const shown = await runKepler({ print: () => {} });

  it("solves Kepler's equation to about 1e-15", () => {
    for (const [M, e] of [
      [0.3, 0.1],
      [5.9, 0.85],
      [-12.4, 0.5],
      [100, 0.95],
    ]) {
      const E = solveKepler(M, e);
      expect(Math.abs(E - e * Math.sin(E) - M)).toBeLessThan(1e-13 * Math.max(1, Math.abs(M)));
    }
    // A circular orbit has E = M.
    expect(
      radialVelocity(Float64Array.of(0), { ...trueOrbit, eccentricity: 0 }, solveKepler).length,
    ).toBe(1);
  });

  it("(1) checkGrad passes the correct rule and fails the forum's rule loudly", () => {
    expect(shown.correct.ok).toBe(true);
    expect(shown.forum.ok).toBe(false);
    expect(shown.forum.worst.input).toBe("e");
    expect(shown.forum.report).toMatch(
      /the derivative rule disagrees with central finite differences: d\/de/,
    );
  });

  it("(2) NUTS's gradients go through the op's rule in both engines", () => {
    expect(shown.vjpCalls.eager).toBeGreaterThan(40);
    expect(shown.vjpCalls.compiled).toBeGreaterThan(40);
    expect(shown.mcmc.potential.engine).toBe("compiled");
    expect(keplerE.definition.stats.vjpCalls).toBeGreaterThan(
      shown.vjpCalls.eager + shown.vjpCalls.compiled,
    );
  });

  it("(3) the 90% intervals cover the true orbit, with no divergences after warmup", () => {
    for (const [name, c] of Object.entries(shown.coverage)) {
      expect(c.covered, `${name}: ${c.truth} outside [${c.interval}]`).toBe(true);
    }
    expect(Object.keys(shown.coverage)).toHaveLength(7);
    expect(shown.mcmc.numDivergences).toBe(0);
  });
});
