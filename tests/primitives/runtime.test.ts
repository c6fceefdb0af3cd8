import { describe, expect, it } from "vitest";
import { block, type Model, Normal, sample, seed, trace } from "../../src/index.js";
import {
  applyDefault,
  type Handler,
  handle,
  type Message,
  run,
  wrap,
} from "../../src/infer/index.js";

function* twoSites() {
  const a = yield* sample("a", Normal(0, 1));
  yield* sample("b", Normal(a, 1));
}

// A handler that logs its process and postprocess calls.
function logging(label: string, log: string[]): (model: Model<[], unknown>) => Model<[], unknown> {
  return (model) =>
    wrap(model, () => ({
      process: (m: Message) => log.push(`${label}.process(${m.name})`),
      postprocess: (m: Message) => log.push(`${label}.postprocess(${m.name})`),
    }));
}

describe("runtime", () => {
  it("processes innermost first and postprocesses outermost first (NumPyro's order)", () => {
    const log: string[] = [];
    const inner = logging("inner", log);
    const outer = logging("outer", log);
    run(outer(inner(seed(twoSites, 0))));
    expect(log.slice(0, 4)).toEqual([
      "inner.process(a)",
      "outer.process(a)",
      "outer.postprocess(a)",
      "inner.postprocess(a)",
    ]);
  });

  it("honours stop: the default runs, outer handlers never see the message, inner ones postprocess", () => {
    const log: string[] = [];
    const inner = logging("inner", log);
    const outer = logging("outer", log);
    run(outer(block(inner(seed(twoSites, 0)), { hide: ["a"] })));
    expect(log.filter((l) => l.includes("(a)"))).toEqual([
      "inner.process(a)",
      "inner.postprocess(a)",
    ]);
    expect(log.filter((l) => l.includes("(b)"))).toHaveLength(4);
  });

  it("passes the value set by the default behaviour back to the model", () => {
    const tr = trace(seed(twoSites, 0)).getTrace();
    const b = tr.get("b");
    if (b.type !== "sample") throw new Error("b must be a sample site");
    // b's distribution is centred on a's value: the model saw a's draw.
    expect((b.fn as ReturnType<typeof Normal>).loc.dataSync()[0]).toBe(
      tr.get("a").value.dataSync()[0],
    );
  });

  it("handle runs finish when the inner generator returns", () => {
    let finished = 0;
    const handler: Handler = { finish: () => finished++ };
    const result = run(() => handle(seed(twoSites, 1)(), handler));
    expect(result).toBeUndefined();
    expect(finished).toBe(1);
  });

  it("applyDefault leaves a deterministic message's value alone", () => {
    const msg: Message = { type: "deterministic", name: "d", value: null, plates: [], stop: false };
    applyDefault(msg);
    expect(msg.value).toBeNull();
  });
});
