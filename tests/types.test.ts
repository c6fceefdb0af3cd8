import { describe, expectTypeOf, it } from "vitest";
import {
  deterministic,
  factor,
  type Model,
  Normal,
  param,
  plate,
  sample,
  seed,
  type Trace,
  type tf,
  trace,
} from "../src/index.js";
import type { Message } from "../src/infer/index.js";

// These assertions are checked by the type checker (npm run typecheck); at run time they pass.
describe("types", () => {
  it("yield* sample is typed as a tensor, and models are generator functions", () => {
    function* model(n: number) {
      const z = yield* sample("z", Normal(0, 1));
      expectTypeOf(z).toEqualTypeOf<tf.Tensor>();
      const loc = yield* param("loc", 0);
      expectTypeOf(loc).toEqualTypeOf<tf.Tensor>();
      const d = yield* deterministic("d", z);
      expectTypeOf(d).toEqualTypeOf<tf.Tensor>();
      const fromPlate = yield* plate("p", n, function* () {
        return yield* sample("w", Normal(0, 1));
      });
      expectTypeOf(fromPlate).toEqualTypeOf<tf.Tensor>();
      const nothing = yield* factor("f", 0);
      expectTypeOf(nothing).toEqualTypeOf<void>();
      return 42;
    }
    expectTypeOf(model).toMatchTypeOf<Model<[number], number>>();
    expectTypeOf(model).returns.toEqualTypeOf<Generator<Message, number, unknown>>();
    expectTypeOf(trace(seed(model, 0)).getTrace).parameters.toEqualTypeOf<[number]>();
    expectTypeOf(trace(seed(model, 0)).getTrace(3)).toEqualTypeOf<Trace>();
  });
});
