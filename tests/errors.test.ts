import { describe, expect, it } from "vitest";
import {
  condition,
  DistributionParameterError,
  HalfNormal,
  ModelError,
  Normal,
  plate,
  sample,
  seed,
  setValidation,
  tf,
  trace,
} from "../src/index.js";
import { run } from "../src/infer/index.js";

// Each bad input is reported by Tyche, naming the site and the problem, before tfjs sees it.
function expectError(
  fn: () => unknown,
  type: new (...args: never[]) => Error,
  message: RegExp,
): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
}

describe("bad input", () => {
  it("a repeated site name", () => {
    function* model() {
      yield* sample("x", Normal(0, 1));
      yield* sample("x", Normal(0, 1));
    }
    expectError(() => trace(seed(model, 0)).getTrace(), ModelError, /site name "x" is used twice/);
  });

  it("a sample without a key outside seed", () => {
    function* model() {
      yield* sample("z", Normal(0, 1));
    }
    expectError(() => run(model), ModelError, /sample\("z"\): no PRNG key.*seed\(model, key\)/);
  });

  it("condition with a name that no site has (a typo)", () => {
    function* model() {
      yield* sample("mu", Normal(0, 1));
      yield* sample("sigma", HalfNormal(1));
    }
    expectError(
      () => trace(seed(condition(model, { sgima: 1 }), 0)).getTrace(),
      ModelError,
      /no sample site named "sgima" in the model; sample sites are: mu, sigma/,
    );
  });

  it("an observed value whose shape does not broadcast", () => {
    function* model() {
      yield* sample("y", Normal(tf.zeros([5]), 1), { obs: [1, 2, 3] });
    }
    expectError(
      () => trace(seed(model, 0)).getTrace(),
      ModelError,
      /sample\("y"\): observed value of shape \[3\] does not broadcast with the distribution's shape \[5\]/,
    );
  });

  it("a negative scale names the family, parameter, rule, value and site", () => {
    function* model() {
      yield* sample("x", Normal(0, -1));
    }
    expectError(
      () => trace(seed(model, 0)).getTrace(),
      DistributionParameterError,
      /^Normal: scale must be positive, got -1 \(site "x"\)$/,
    );
  });

  it("a negative scale given as a tensor, inside a plate, names the index", () => {
    function* model() {
      yield* plate("p", 3, function* () {
        yield* sample("x", Normal(0, tf.tensor([1, -2, 3])));
      });
    }
    expectError(
      () => trace(seed(model, 0)).getTrace(),
      DistributionParameterError,
      /scale must be positive, got -2 at index 1 \(site "x"\)/,
    );
  });

  it("validation can be turned off globally", () => {
    function* model() {
      yield* sample("x", Normal(0, -1));
    }
    setValidation(false);
    try {
      expect(() => trace(seed(model, 0)).getTrace()).not.toThrow();
    } finally {
      setValidation(true);
    }
  });

  it("plate arguments are checked", () => {
    function* model() {
      yield* plate("p", 3, function* () {}, { subsampleSize: 5 });
    }
    expect(() => run(model)).toThrow(
      /plate\("p"\): subsampleSize must be an integer in \[1, 3\], got 5/,
    );
  });
});
