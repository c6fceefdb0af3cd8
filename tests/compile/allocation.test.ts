/**
 * No allocation per call: after warm-up, 100,000 calls of a compiled valueAndGrad grow the
 * heap no more than a hand-written objective of the same calling convention does (V8 boxes a
 * returned double, about 16 bytes, unless it inlines the call), and retain nothing. Measured in
 * a child process started with --expose-gc, so that collections can be forced.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("allocates nothing per call beyond the boxed return value", () => {
  const fixture = fileURLToPath(new URL("./fixtures/allocation-check.ts", import.meta.url));
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const output = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", fixture, "100000"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  const { perCall, floor, retained } = JSON.parse(output.trim().split("\n").at(-1)!) as Record<
    string,
    number
  >;
  // Allocating even one small Float64Array per call would add 80 bytes or more.
  expect(perCall).toBeLessThan(floor + 16);
  expect(retained).toBeLessThan(1 << 20);
});
