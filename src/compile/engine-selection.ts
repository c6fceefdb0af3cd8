/**
 * Engine selection, written once: compile an objective, or fall back to the eager tfjs engine
 * with one warning naming the cause (DESIGN.md section 4). `potential` and SVI's loss engine
 * choose their engine here, and so does anything else that wants a compiled objective with an
 * eager fallback.
 */
import type { CompiledObjective } from "./artifact.js";
import type { CompileResult } from "./compile-objective.js";

const warned = new Set<string>();

/**
 * Prints `message` with `console.warn` the first time it is seen in this process.
 *
 * @example
 * warnOnce("SVI: using the eager engine; ..."); // printed
 * warnOnce("SVI: using the eager engine; ..."); // not again
 */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}

/** What an engine selection chose: the compiled objective, or why the eager engine serves. */
export type EngineChoice =
  | { readonly engine: "compiled"; readonly compiled: CompiledObjective }
  | { readonly engine: "eager"; readonly reason: string };

/**
 * Compiles with `compile` and returns the compiled objective, or, when it cannot, says so once
 * ("<api>: using the eager engine; the compiled engine cannot serve this <what>: <reason>")
 * and returns the reason; the caller then serves the eager engine.
 *
 * @example
 * const choice = compileOrFallBack("myTool", "density", () =>
 *   compileObjective((q) => tf.mul(0.5, tf.sum(tf.square(q))), [[2]], { name: "potential" }),
 * );
 * choice.engine; // "compiled"; "eager" (with one warning) when the density cannot be compiled
 */
export function compileOrFallBack(
  api: string,
  what: string,
  compile: () => CompileResult,
): EngineChoice {
  const result = compile();
  if (result.ok) return { engine: "compiled", compiled: result.compiled };
  fallBackToEager(api, `the compiled engine cannot serve this ${what}: ${result.reason}`);
  return { engine: "eager", reason: result.reason };
}

/**
 * Announces (once per message) that `api` uses the eager engine, and why.
 *
 * @example
 * fallBackToEager("SVI", "the loss draws randomness beyond its noise");
 */
export function fallBackToEager(api: string, reason: string): void {
  warnOnce(`${api}: using the eager engine; ${reason}`);
}
