import { describe, expect, it } from "vitest";
import {
  block,
  condition,
  deterministic,
  factor,
  intervene,
  logDensity,
  mask,
  Normal,
  PRNGKey,
  plate,
  replay,
  sample,
  scale,
  scope,
  seed,
  substitute,
  tf,
  trace,
  vmap,
} from "../../src/index.js";
import { traceLogDensity } from "../../src/infer/log-density.js";

const value = (t: tf.Tensor) => t.dataSync()[0];

// z ~ N(0, 5); x ~ N(z, 1)
function* zx(xObs?: number) {
  const z = yield* sample("z", Normal(0, 5));
  yield* sample("x", Normal(z, 1), { obs: xObs });
  return z;
}

const normalLogPdf = (x: number, mu: number, sigma: number) =>
  -0.5 * ((x - mu) / sigma) ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);

describe("trace and seed", () => {
  it("records every site in order with its value", () => {
    const tr = trace(seed(zx, 0)).getTrace();
    expect([...tr.keys()]).toEqual(["z", "x"]);
    expect(tr.get("x").type).toBe("sample");
  });

  it("the same seed gives bit-identical traces; another seed differs", () => {
    const a = trace(seed(zx, PRNGKey(3))).getTrace();
    const b = trace(seed(zx, 3)).getTrace();
    const c = trace(seed(zx, 4)).getTrace();
    expect(value(a.get("z").value)).toBe(value(b.get("z").value));
    expect(value(a.get("x").value)).toBe(value(b.get("x").value));
    expect(value(a.get("z").value)).not.toBe(value(c.get("z").value));
  });

  it("seed gives each site its own key", () => {
    function* twin() {
      yield* sample("a", Normal(0, 1));
      yield* sample("b", Normal(0, 1));
    }
    const tr = trace(seed(twin, 0)).getTrace();
    expect(value(tr.get("a").value)).not.toBe(value(tr.get("b").value));
  });
});

describe("condition and substitute", () => {
  it("condition marks a site observed at the given value", () => {
    const tr = trace(seed(condition(zx, { x: 5, z: 2.5 }), 0)).getTrace();
    const x = tr.get("x");
    const z = tr.get("z");
    expect(x.type === "sample" && x.isObserved).toBe(true);
    expect(z.type === "sample" && z.isObserved).toBe(true);
    expect(value(x.value)).toBe(5);
  });

  it("substitute sets the value but leaves the site latent", () => {
    const tr = trace(seed(substitute(zx, { z: 2.5 }), 0)).getTrace();
    const z = tr.get("z");
    expect(z.type === "sample" && z.isObserved).toBe(false);
    expect(value(z.value)).toBe(2.5);
  });

  it("substitute also accepts a function of the message", () => {
    const tr = trace(
      seed(
        substitute(zx, (m) => (m.name === "z" ? 1.25 : undefined)),
        0,
      ),
    ).getTrace();
    expect(value(tr.get("z").value)).toBe(1.25);
  });
});

describe("block", () => {
  it("hides the named sites from outer handlers", () => {
    const tr = trace(block(seed(zx, 0), { hide: ["z"] })).getTrace();
    expect([...tr.keys()]).toEqual(["x"]);
  });
  it("hides everything by default, and exposes only the listed sites with expose", () => {
    expect([
      ...trace(block(seed(zx, 0)))
        .getTrace()
        .keys(),
    ]).toEqual([]);
    expect([
      ...trace(block(seed(zx, 0), { expose: ["z"] }))
        .getTrace()
        .keys(),
    ]).toEqual(["z"]);
  });
});

describe("replay", () => {
  it("reuses the values of latent sites from another trace", () => {
    const guideTrace = trace(seed(zx, 11)).getTrace();
    const tr = trace(seed(replay(zx, guideTrace), 99)).getTrace(5);
    expect(value(tr.get("z").value)).toBe(value(guideTrace.get("z").value));
    // The observed site keeps its observed value.
    expect(value(tr.get("x").value)).toBe(5);
  });
});

describe("scale and mask", () => {
  const at = { z: 2.5 };
  const base = normalLogPdf(2.5, 0, 5) + normalLogPdf(5, 2.5, 1);

  it("scale multiplies every log-probability", () => {
    expect(logDensity(scale(zx, 0.5), [5], at)).toBeCloseTo(0.5 * base, 5);
  });

  it("mask(false) removes sites from the density; mask(true) keeps them", () => {
    expect(logDensity(mask(zx, false), [5], at)).toBe(0);
    expect(logDensity(mask(zx, true), [5], at)).toBeCloseTo(base, 5);
  });

  it("an elementwise mask zeroes only the masked entries", () => {
    function* vec() {
      yield* sample("y", Normal(0, 1).expand([3]), { obs: [0, 1, 2] });
    }
    const lp = logDensity(mask(vec, [true, false, true]), [], {});
    expect(lp).toBeCloseTo(normalLogPdf(0, 0, 1) + normalLogPdf(2, 0, 1), 5);
  });
});

describe("intervene", () => {
  it("cuts the dependency: downstream sees the intervention, the site itself is drawn from its prior", () => {
    const n = 400;
    let zSum = 0;
    let xSum = 0;
    for (let i = 0; i < n; i++) {
      const tr = trace(seed(intervene(zx, { z: 30 }), i)).getTrace();
      zSum += value(tr.get("z").value);
      xSum += value(tr.get("x").value);
    }
    // x ~ N(30, 1): its mean is 30 within 4.5 standard errors; z ~ N(0, 5) is unaffected.
    expect(Math.abs(xSum / n - 30) / (1 / Math.sqrt(n))).toBeLessThan(4.5);
    expect(Math.abs(zSum / n) / (5 / Math.sqrt(n))).toBeLessThan(4.5);
  });

  it("the model's return value is the intervention", () => {
    const tr = trace(seed(intervene(zx, { z: 7 }), 0));
    let returned: tf.Tensor | undefined;
    const gen = tr();
    for (let r = gen.next(); ; r = gen.next()) {
      if (r.done) {
        returned = r.value;
        break;
      }
      // Reached the top: apply the default via the seed's key.
      const msg = r.value;
      if (msg.type === "sample" && msg.value === null && msg.key)
        msg.value = msg.fn.sample(msg.key);
    }
    expect(value(returned as tf.Tensor)).toBe(7);
  });
});

describe("scope", () => {
  it("prefixes site names", () => {
    expect([
      ...trace(seed(scope(zx, "left"), 0))
        .getTrace()
        .keys(),
    ]).toEqual(["left/z", "left/x"]);
  });
});

describe("plate", () => {
  it("broadcasts sites to the plate size and nests dims from the right", () => {
    function* model() {
      yield* plate("outer", 3, function* () {
        yield* plate("inner", 4, function* () {
          yield* sample("w", Normal(0, 1));
        });
        yield* sample("v", Normal(0, 1));
      });
    }
    const tr = trace(seed(model, 0)).getTrace();
    expect(tr.get("w").value.shape).toEqual([4, 3]);
    expect(tr.get("v").value.shape).toEqual([3]);
    expect(tr.get("w").plates.map((f) => [f.name, f.dim])).toEqual([
      ["inner", -2],
      ["outer", -1],
    ]);
  });

  it("honours an explicit dim", () => {
    function* model() {
      yield* plate(
        "p",
        2,
        function* () {
          yield* sample("w", Normal(0, 1));
        },
        { dim: -3 },
      );
    }
    expect(trace(seed(model, 0)).getTrace().get("w").value.shape).toEqual([2, 1, 1]);
  });

  it("a batch shape that conflicts with the plate is an error naming the site and shapes", () => {
    function* model() {
      yield* plate("p", 3, function* () {
        yield* sample("w", Normal(tf.zeros([5]), 1));
      });
    }
    expect(() => trace(seed(model, 0)).getTrace()).toThrow(
      /site "w" has batch shape \[5\].*plates' shape \[3\]/,
    );
  });

  it("subsampling scales the log density so that its mean over subsamples equals the full density", () => {
    const data = Array.from({ length: 20 }, (_, i) => Math.sin(i) * 2);
    function* model(subsampleSize: number) {
      const mu = yield* sample("mu", Normal(0, 1));
      yield* plate(
        "data",
        data.length,
        function* (idx) {
          yield* sample("y", Normal(mu, 1), { obs: tf.gather(tf.tensor(data), idx) });
        },
        { subsampleSize },
      );
    }
    const full = logDensity(model, [20], { mu: 0.3 });
    const estimates: number[] = [];
    for (let k = 0; k < 300; k++) {
      estimates.push(
        tf.tidy(
          () =>
            traceLogDensity(
              trace(seed(substitute(model, { mu: 0.3 }), k)).getTrace(5),
            ).dataSync()[0],
        ),
      );
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    const sd = Math.sqrt(
      estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / (estimates.length - 1),
    );
    expect(Math.abs(mean - full) / (sd / Math.sqrt(estimates.length))).toBeLessThan(4.5);
    // And a single subsample is not the full density (the test can fail).
    expect(sd).toBeGreaterThan(0);
  });
});

describe("vmap", () => {
  it("adds a batch dimension left of every model plate", () => {
    function* model() {
      const mu = yield* sample("mu", Normal(0, 1));
      yield* plate("p", 4, function* () {
        yield* sample("w", Normal(mu, 1));
      });
    }
    const tr = trace(seed(vmap(model, { size: 6 }), 0)).getTrace();
    expect(tr.get("mu").value.shape).toEqual([6, 1]);
    expect(tr.get("w").value.shape).toEqual([6, 4]);
    // Each batch entry is an independent draw.
    const mu = tr.get("mu").value.dataSync();
    expect(new Set(mu).size).toBe(6);
  });
});

describe("factor and deterministic", () => {
  it("factor adds its log-weight; deterministic records a value", () => {
    function* model() {
      const z = yield* sample("z", Normal(0, 1));
      yield* deterministic("twice", tf.mul(z, 2));
      yield* factor("bonus", -1.5);
    }
    expect(logDensity(model, [], { z: 0 })).toBeCloseTo(normalLogPdf(0, 0, 1) - 1.5, 5);
    const tr = trace(seed(substitute(model, { z: 1.5 }), 0)).getTrace();
    expect(value(tr.get("twice").value)).toBe(3);
  });
});

describe("composition", () => {
  it("condition inside seed inside trace, then replay and scale, agree with the hand-computed density", () => {
    const posterior = condition(zx, { x: 5 });
    const guideTrace = trace(seed(substitute(zx, { z: 1 }), 0)).getTrace();
    const tr = trace(scale(replay(seed(posterior, 3), guideTrace), 2)).getTrace();
    const lp = tf.tidy(() => traceLogDensity(tr).dataSync()[0]);
    expect(lp).toBeCloseTo(2 * (normalLogPdf(1, 0, 5) + normalLogPdf(5, 1, 1)), 5);
  });
});
