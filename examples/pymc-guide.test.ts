import { describe, expect, it } from "vitest";
import { runGuide } from "./pymc-guide.js";

const logNormal = (x: number, m: number, s: number) =>
  -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);

describe("examples/pymc-guide.ts", () => {
  const lines: string[] = [];
  const out = runGuide((line) => lines.push(line));

  it("prints the z/x log-probabilities of the developer guide", () => {
    expect(out.perSite.z).toBeCloseTo(-2.65337645, 5);
    expect(out.perSite.x).toBeCloseTo(-4.0439386, 5);
    expect(out.total).toBeCloseTo(-6.6973152, 5);
    expect(lines[0]).toMatch(/log p\(z=2.5\) = -2.6533/);
  });

  it("the conditional potential is the density of a alone with b fixed, and its gradient matches", () => {
    const y = [0.3, -0.4, 1.1];
    const a = 0.25;
    const b = 0.8;
    const expected = -(
      logNormal(a, 0, 1) +
      Math.log(2) +
      logNormal(b, 0, 1) +
      y.reduce((s, v) => s + logNormal(v, a, b), 0)
    );
    expect(out.energy).toBeCloseTo(expected, 4);
    const analytic = a - y.reduce((s, v) => s + (v - a) / (b * b), 0);
    expect(out.grad).toBeCloseTo(analytic, 4);
    expect(Math.abs(out.grad - out.numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(analytic)));
  });

  it("the flat layout round-trips, with b on the log scale", () => {
    expect(out.q[0]).toBeCloseTo(-0.7, 12);
    expect(out.q[1]).toBeCloseTo(Math.log(1.9), 12);
    expect(out.back.a.data[0]).toBeCloseTo(-0.7, 12);
    expect(out.back.b.data[0]).toBeCloseTo(1.9, 12);
  });

  it("prior predictive draws broadcast to (100, 2, 5, 10)", () => {
    expect(out.prior.x.shape).toEqual([100, 2, 5, 10]);
    expect(out.prior.mu.shape).toEqual([100, 5, 1]);
    expect(out.prior.sigma.shape).toEqual([100, 1, 10]);
  });
});
