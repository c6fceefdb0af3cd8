/**
 * A pool of worker threads that run single NUTS chains on compiled potentials, for the
 * simulations of `sbc`. Each worker is the library's own chain worker
 * (src/infer/mcmc/chain-worker.ts, the one `MCMC` uses for `chainMethod: "parallel"`), kept
 * alive across jobs so that its start-up (loading the library) is paid once per thread; a
 * job is the potential's compiled artifact, the chain options and the key, so the draws are
 * those the main thread would make with the same key.
 */
import type { Worker } from "node:worker_threads";
import type { CompiledArtifact } from "../compile/artifact.js";
import type { ChainJob, ChainMessage } from "../infer/mcmc/chain-worker.js";
import type { ChainOptions } from "../infer/nuts/chain-options.js";
import type { ChainResult } from "../infer/nuts/runner.js";
import type { Key } from "../primitives/prng.js";

/** The source a worker evaluates: the chain worker, through tsx's loader when running from TypeScript. */
function workerSource(): string {
  const fromTypeScript = import.meta.url.endsWith(".ts");
  const workerUrl = new URL(
    `../infer/mcmc/chain-worker${fromTypeScript ? ".ts" : ".js"}`,
    import.meta.url,
  ).href;
  const load = `import(${JSON.stringify(workerUrl)})`;
  return fromTypeScript
    ? `import("tsx/esm/api").then((tsx) => { tsx.register(); return ${load}; })`
    : load;
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

interface Pending {
  readonly job: ChainJob;
  readonly resolve: (result: ChainResult) => void;
  readonly reject: (error: Error) => void;
}

/** Worker threads running chains, `size` at a time. */
export class ChainWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  private constructor(private readonly imports: readonly string[]) {}

  /**
   * Starts `size` workers; `imports` are modules each worker imports before a chain (where
   * the model's custom ops are defined).
   *
   * @example
   * const pool = await ChainWorkerPool.start(2, []);
   * const result = await pool.run(potential.artifact!, { numWarmup: 200, numSamples: 200 }, key);
   * await pool.close();
   */
  static async start(size: number, imports: readonly string[]): Promise<ChainWorkerPool> {
    const { Worker } = await import("node:worker_threads");
    const pool = new ChainWorkerPool(imports);
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerSource(), { eval: true });
      pool.slots.push({ worker, busy: false });
    }
    return pool;
  }

  /** Runs one chain in the next free worker. */
  run(artifact: CompiledArtifact, options: ChainOptions, key: Key): Promise<ChainResult> {
    if (this.closed) return Promise.reject(new Error("ChainWorkerPool: the pool is closed"));
    return new Promise<ChainResult>((resolve, reject) => {
      this.queue.push({
        job: { type: "start", artifact, options, key, imports: this.imports },
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (next === undefined) return;
      slot.busy = true;
      const onMessage = (message: ChainMessage) => {
        if (message.type === "progress") return;
        slot.worker.off("message", onMessage);
        slot.worker.off("error", onError);
        slot.busy = false;
        if (message.type === "done") next.resolve(message.result);
        else next.reject(new Error(message.message));
        this.dispatch();
      };
      const onError = (error: Error) => {
        slot.worker.off("message", onMessage);
        slot.busy = false;
        next.reject(error);
      };
      slot.worker.on("message", onMessage);
      slot.worker.once("error", onError);
      slot.worker.postMessage(next.job);
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error("ChainWorkerPool: closed"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
