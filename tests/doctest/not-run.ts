/**
 * Examples the doctest runner (tests/doctest.test.ts) does not run yet, keyed by file and line,
 * with the reason: nearly all document internal functions (compiler passes, scan plans, the
 * enumeration of scanned chains) whose inputs only their own module's tests build. The list
 * only shrinks: make an example self-contained (or add the fixture it needs to
 * tests/doctest/prelude.ts), then remove its entry.
 */
export const NOT_RUN: Record<string, string> = {
  "src/compile/artifact.ts:59": "internal; needs a fixture `instantiate`",
  "src/compile/backend.ts:110": "internal; needs a fixture `Recorder`",
  "src/compile/check.ts:20": "internal; needs a fixture `optimizedGraph`",
  "src/compile/emit/instantiate.ts:31": "internal; needs a fixture `emitProgram`",
  "src/compile/emit/loop.ts:48": "internal; needs a fixture `step`",
  "src/compile/emit/program.ts:31": "internal; needs a fixture `instantiate`",
  "src/compile/emit/runtime.ts:84": "internal; needs a fixture `out`",
  "src/compile/emit/runtime.ts:99": "internal; needs a fixture `result`",
  "src/compile/emit/scalar.ts:16":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'step'))",
  "src/compile/emit/scalar.ts:45": "internal; needs a fixture `step`",
  "src/compile/emit/storage.ts:32": "internal; needs a fixture `planSteps`",
  "src/compile/graph.ts:170": "internal; needs a fixture `producers`",
  "src/compile/kernels/index.ts:56":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'nodes'))",
  "src/compile/kernels/rule.ts:135": "internal; needs a fixture `node`",
  "src/compile/kernels/rule.ts:148": "internal; needs a fixture `node`",
  "src/compile/kernels/rule.ts:163": "internal; needs a fixture `node`",
  "src/compile/passes/index.ts:15":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'outputs'))",
  "src/compile/passes/rewrite.ts:18": "internal; needs a fixture `g`",
  "src/compile/recorder.ts:26": "internal; needs a fixture `backend`",
  "src/compile/scan/hoist.ts:32":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'nodes'))",
  "src/compile/scan/kernels.ts:118": "internal; needs a fixture `init`",
  "src/compile/scan/plan.ts:105": "internal; needs a fixture `node`",
  "src/compile/scan/plan.ts:115": "internal; needs a fixture `carry`",
  "src/compile/scan/plan.ts:128":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'length'))",
  "src/compile/scan/plan.ts:144":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'reduce'))",
  "src/compile/scan/plan.ts:160":
    "internal; needs a fixture of its own kind (plan.carry is not iterable)",
  "src/compile/scan/plan.ts:170":
    "internal; needs a fixture of its own kind (plan.carry is not iterable)",
  "src/compile/scan/residuals.ts:33": "internal; needs a fixture `joint`",
  "src/compile/scan/specialize.ts:19":
    "internal; needs a fixture of its own kind (Invalid value used as weak map key)",
  "src/compile/scan/trace-step.ts:33": "internal; needs a fixture `request`",
  "src/compile/scan/tracer.ts:26": "internal; needs a fixture `withScanTracer`",
  "src/handlers/site-value.ts:28": "internal; needs a fixture `zMessage`",
  "src/infer/enum/contract.ts:211":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'map'))",
  "src/infer/enum/contract.ts:70":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'map'))",
  "src/infer/enum/factors.ts:245":
    "internal; needs a fixture of its own kind (trace: no site named 'x'; sites are: mu, tau, J, eta, theta, obs)",
  "src/infer/enum/log-joint.ts:108": "internal; needs a fixture `setup`",
  "src/infer/enum/log-joint.ts:93": "internal; needs a fixture `setup`",
  "src/primitives/scan-chain.ts:151": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts:203": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts:253": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts:276": "internal; needs a fixture `chainFactor`",
  "src/primitives/scan-chain.ts:296": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts:367": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts:418": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts:77": "internal; needs a fixture `firstStep`",
  "src/infer/mcmc/discrete-strategy.ts:38": "internal; needs a fixture `discoverModel`",
  "src/infer/mcmc/gibbs.ts:120": "internal; needs a fixture `spec`",
  "src/infer/mcmc/sampling-algorithm.ts:86": "a sketch with elided code (...)",
  "src/infer/mcmc/worker-pool.ts:63":
    "starts worker threads, which cannot receive the doctest scope",
  "src/infer/member-draws.ts:119": "internal; needs a fixture `probe`",
  "src/infer/nuts/proposal.ts:61": "internal; needs a fixture `UniformStream`",
  "src/infer/nuts/proposal.ts:78": "internal; needs a fixture `UniformStream`",
  "src/infer/nuts/runner.ts:258": "internal; needs a fixture `pool`",
  "src/infer/nuts/sampler.ts:236": "internal; needs a fixture `nutsSettings`",
  "src/infer/nuts/trajectory.ts:103": "internal; needs a fixture `start`",
  "src/infer/pathfinder/bfgs-gaussian.ts:131": "internal; needs a fixture `g`",
  "src/infer/pathfinder/multi-path.ts:72": "internal; needs a fixture `path`",
  "src/infer/svi/autoguide/auto-continuous.ts:185":
    "internal; needs a fixture `AutoDiagonalNormalGuide`",
  "src/infer/svi/autoguide/site-plates.ts:17": "internal; needs a fixture `proto`",
  "src/primitives/batch-context.ts:28": "internal; needs a fixture `args`",
  "src/primitives/scan-step.ts:102": "internal; needs a fixture `body`",
  "src/primitives/scan-step.ts:329": "internal; needs a fixture `vmapFrameAtDim3`",
  "src/primitives/scan-traced.ts:69": "internal; needs a fixture `tracer`",
  "src/primitives/scan-tracer.ts:118": "internal; needs a fixture `length`",
  "src/primitives/scan-tracer.ts:69": "internal; needs a fixture `tracer`",
  "src/tf.ts:115":
    'the wasm backend does not initialize under vitest\'s module loader; tests/backend.test.ts runs useBackend("wasm") in a fresh Node process',
  "src/tf.ts:128":
    'the wasm backend does not initialize under vitest\'s module loader; tests/backend.test.ts runs useBackend("wasm") in a fresh Node process',
  "src/util/options.ts:29": "internal; needs a fixture `McmcOptionsSchema`",
};
