import { describe, expect, it } from "vitest";
import { foldIn, PRNGKey, split } from "../../src/index.js";
import { type Key, normal, randomBits, threefry2x32, uniform } from "../../src/infer/kernels.js";
import { UniformStream } from "../../src/infer/nuts/random-stream.js";
import { fillNormal, splitInto } from "../../src/primitives/prng.js";

const hex = (w: Uint32Array) => [...w].map((x) => x.toString(16).padStart(8, "0")).join(" ");

describe("threefry2x32-20", () => {
  // Known-answer vectors published with Random123 (kat_vectors: counter, key, expected).
  it.each([
    [[0, 0], [0, 0], "6b200159 99ba4efe"],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], "1cb996fc bb002be7"],
    [[0x243f6a88, 0x85a308d3], [0x13198a2e, 0x03707344], "c4923a9c 483df7a0"],
  ])("counter %j key %j gives %s", (counter, key, expected) => {
    expect(hex(threefry2x32(key[0], key[1], counter[0], counter[1]))).toBe(expected);
  });
});

describe("keys", () => {
  it("PRNGKey splits a seed into high and low words", () => {
    expect([...PRNGKey(7)]).toEqual([0, 7]);
    expect([...PRNGKey(2 ** 32 + 5)]).toEqual([1, 5]);
    expect([...PRNGKey(-1)]).toEqual([0xffffffff, 0xffffffff]);
  });

  it("split is deterministic, gives distinct keys, and key i does not depend on the count", () => {
    const key = PRNGKey(42);
    const a = split(key, 4);
    const b = split(key, 4);
    expect(a.map(hex)).toEqual(b.map(hex));
    expect(new Set(a.map(hex)).size).toBe(4);
    expect(split(key, 2).map(hex)).toEqual(a.slice(0, 2).map(hex));
  });

  it("foldIn depends on the data and on the key", () => {
    const key = PRNGKey(0);
    expect(hex(foldIn(key, 1))).not.toBe(hex(foldIn(key, 2)));
    expect(hex(foldIn(key, 1))).not.toBe(hex(foldIn(PRNGKey(1), 1)));
    expect(hex(foldIn(key, 3))).toBe(hex(foldIn(key, 3)));
  });

  it("foldIn mixes in data as the two words of its 64-bit two's complement", () => {
    const key = PRNGKey(9);
    // The words by BigInt, independently of foldIn's arithmetic; 2^60 is not a safe integer.
    for (const data of [
      0,
      1,
      2 ** 32 + 3,
      2 ** 53 - 1,
      -1,
      -(2 ** 40) + 7,
      -(2 ** 53) + 1,
      2 ** 60,
    ]) {
      const big = BigInt.asUintN(64, BigInt(data));
      const expected = threefry2x32(key[0], key[1], Number(big >> 32n), Number(big & 0xffffffffn));
      expect(hex(foldIn(key, data)), `data ${data}`).toBe(hex(expected));
    }
  });

  it("splitInto writes the keys that split returns", () => {
    const key = PRNGKey(123);
    const outs = [new Uint32Array(2), new Uint32Array(2), new Uint32Array(2)] as Key[];
    splitInto(key, outs);
    expect(outs.map(hex)).toEqual(split(key, 3).map(hex));
  });

  it("rejects non-integer seeds with a clear message", () => {
    expect(() => PRNGKey(1.5)).toThrow(/PRNGKey: seed must be a safe integer, got 1.5/);
  });
});

describe("variates", () => {
  const n = 20000;

  it("uniform draws have the moments of U(0, 1) within 4.5 standard errors", () => {
    const u = uniform(PRNGKey(3), n);
    const mean = u.reduce((a, b) => a + b, 0) / n;
    const variance = u.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(mean - 0.5) / Math.sqrt(1 / 12 / n)).toBeLessThan(4.5);
    // Var of the sample variance of U(0,1): (mu4 - sigma^4)/n with mu4 = 1/80.
    expect(Math.abs(variance - 1 / 12) / Math.sqrt((1 / 80 - 1 / 144) / n)).toBeLessThan(4.5);
  });

  it("normal draws pass a Kolmogorov-Smirnov test and have unit variance", () => {
    const z = Float64Array.from(normal(PRNGKey(4), n)).sort();
    const phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
    let d = 0;
    z.forEach((x, i) => {
      d = Math.max(d, Math.abs(phi(x) - i / n), Math.abs(phi(x) - (i + 1) / n));
    });
    // Critical value of the KS statistic at level 1e-3: sqrt(-log(0.0005)/2)/sqrt(n).
    expect(d).toBeLessThan(Math.sqrt(-Math.log(0.0005) / 2) / Math.sqrt(n));
    const variance = z.reduce((a, b) => a + b * b, 0) / n;
    expect(Math.abs(variance - 1) / Math.sqrt(2 / n)).toBeLessThan(4.5);
  });

  it("random bits are reproducible and change with the key", () => {
    expect([...randomBits(PRNGKey(1), 5)]).toEqual([...randomBits(PRNGKey(1), 5)]);
    expect([...randomBits(PRNGKey(1), 5)]).not.toEqual([...randomBits(PRNGKey(2), 5)]);
  });
});

// Abramowitz and Stegun 7.1.26 is too coarse for a KS test at n = 20000; use the series/continued fraction.
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 3) {
    let sum = 0;
    let term = t;
    for (let k = 0; k < 200; k++) {
      sum += term / (2 * k + 1);
      term *= (-t * t) / (k + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction for large |x|.
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (t + f);
  const erfc = Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
  return Math.sign(x) * (1 - erfc);
}

describe("allocation-free variants", () => {
  it("fillNormal writes the numbers normal returns", () => {
    const key = PRNGKey(77);
    const out = new Float64Array(13);
    expect(fillNormal(key, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(normal(key, 13)));
  });

  it("a restarted UniformStream gives uniform(key, n) again", () => {
    const stream = new UniformStream(PRNGKey(1));
    for (let i = 0; i < 5; i++) stream.next();
    stream.restart(PRNGKey(2));
    const drawn = Array.from({ length: 4 }, () => stream.next());
    expect(drawn).toEqual(Array.from(uniform(PRNGKey(2), 4)));
  });
});
