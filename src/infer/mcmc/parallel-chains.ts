/**
 * Chains in worker threads, through a pool with at most one worker per core: each chain runs
 * on the compiled potential's artifact; the main thread only relays progress, aborts and
 * results.
 */
import { Effect } from "effect";
import type { Key } from "../../primitives/prng.js";
import type { ChainOptions } from "../nuts/chain-options.js";
import type { ChainProgress } from "../nuts/runner.js";
import type { Potential } from "../potential.js";
import { describePoint } from "./init-strategies.js";
import { ChainWorkerPool, type WorkerChain, WorkerChainError } from "./worker-pool.js";

export type { WorkerChain } from "./worker-pool.js";

/** What `chainsInWorkers` needs per chain. */
export interface WorkerChainSpec {
  readonly options: ChainOptions;
  readonly key: Key;
  readonly onProgress: (progress: ChainProgress) => void;
}

/**
 * Runs chains in a pool of worker threads. Interrupting the Effect, or aborting `signal`,
 * stops every chain and waits for the draws they made; `holders[c].chain` receives chain c
 * as soon as it is back, so an interruption can keep it.
 */
export function chainsInWorkers(
  target: Potential,
  chains: readonly WorkerChainSpec[],
  imports: readonly string[],
  signal: AbortSignal | undefined,
  holders: Array<{ chain?: WorkerChain }>,
): Effect.Effect<WorkerChain[], Error> {
  return Effect.async<WorkerChain[], Error>((resume) => {
    // Aborted by the user's signal or by interruption; either way the workers return their draws.
    const stop = new AbortController();
    const forward = () => stop.abort();
    signal?.addEventListener("abort", forward);
    let settled = false;
    const pending = (async () => {
      const pool = await ChainWorkerPool.start(
        await ChainWorkerPool.sizeFor(chains.length),
        imports,
      );
      try {
        const results = await Promise.all(
          chains.map(async (chain, c) => {
            const run = await pool.run(target.artifact!, chain.options, chain.key, {
              onProgress: chain.onProgress,
              signal: stop.signal,
            });
            if (run !== undefined) holders[c] = { chain: run };
            return run;
          }),
        );
        return results.filter((r): r is WorkerChain => r !== undefined);
      } catch (error) {
        if (error instanceof WorkerChainError && error.position !== undefined) {
          throw new Error(`${error.message}\n${describePoint(target, error.position)}`);
        }
        throw error;
      } finally {
        signal?.removeEventListener("abort", forward);
        await pool.close();
      }
    })();
    pending.then(
      (results) => {
        settled = true;
        resume(Effect.succeed(results));
      },
      (error: Error) => {
        settled = true;
        resume(Effect.fail(error));
      },
    );
    return Effect.promise(async () => {
      if (settled) return;
      stop.abort();
      await pending.catch(() => undefined);
    });
  });
}
