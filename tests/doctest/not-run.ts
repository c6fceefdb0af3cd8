/**
 * Examples the doctest runner (tests/doctest.test.ts) does not run yet, keyed by file and the
 * name their doc comment documents, with the reason: nearly all document internal functions (compiler passes, scan plans, the
 * enumeration of scanned chains) whose inputs only their own module's tests build. The list
 * only shrinks: make an example self-contained (or add the fixture it needs to
 * tests/doctest/prelude.ts), then remove its entry.
 */
export const NOT_RUN: Record<string, string> = {
  "src/compile/artifact.ts wrap": "internal; needs a fixture `instantiate`",
  "src/compile/check.ts checkAgainstTrace": "internal; needs a fixture `optimizedGraph`",
  "src/compile/emit/loop.ts emitLoop": "internal; needs a fixture `step`",
  "src/compile/emit/program.ts emitProgram": "internal; needs a fixture `instantiate`",
  "src/compile/emit/helpers.ts sumToInto": "internal; needs a fixture `out`",
  "src/compile/emit/helpers.ts copyResult": "internal; needs a fixture `result`",
  "src/compile/emit/scalar.ts isScalarGraph":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'step'))",
  "src/compile/emit/scalar.ts emitScalar": "internal; needs a fixture `step`",
  "src/compile/kernels/index.ts unsupportedReason":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'nodes'))",
  "src/compile/kernels/rule.ts numberAttr": "internal; needs a fixture `node`",
  "src/compile/kernels/rule.ts sizeAttr": "internal; needs a fixture `node`",
  "src/compile/kernels/rule.ts integerListAttr": "internal; needs a fixture `node`",
  "src/compile/passes/index.ts optimize":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'outputs'))",
  "src/compile/recorder.ts Recorder": "internal; needs a fixture `backend`",
  "src/compile/scan/hoist.ts hoist":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'nodes'))",
  "src/compile/scan/kernels.ts runScan": "internal; needs a fixture `init`",
  "src/compile/scan/plan.ts isScanPlan": "internal; needs a fixture `node`",
  "src/compile/scan/plan.ts makePlan": "internal; needs a fixture `carry`",
  "src/compile/scan/plan.ts invariantInputs":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'length'))",
  "src/compile/scan/plan.ts forwardOutputs":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'reduce'))",
  "src/compile/scan/plan.ts forwardInputs":
    "internal; needs a fixture of its own kind (plan.carry is not iterable)",
  "src/compile/scan/plan.ts gradientOutputs":
    "internal; needs a fixture of its own kind (plan.carry is not iterable)",
  "src/compile/scan/residuals.ts splitResiduals": "internal; needs a fixture `joint`",
  "src/compile/scan/specialize.ts specialize":
    "internal; needs a fixture of its own kind (Invalid value used as weak map key)",
  "src/compile/scan/trace-step.ts traceStep": "internal; needs a fixture `request`",
  "src/compile/scan/tracer.ts scanTracer": "internal; needs a fixture `withScanTracer`",
  "src/handlers/site-value.ts siteValue": "internal; needs a fixture `zMessage`",
  "src/infer/enum/contract.ts runPlan":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'map'))",
  "src/infer/enum/contract.ts planContraction":
    "internal; needs a fixture of its own kind (Cannot read properties of undefined (reading 'map'))",
  "src/infer/enum/factors.ts chainFactorOf":
    "internal; needs a fixture of its own kind (trace: no site named 'x'; sites are: mu, tau, J, eta, theta, obs)",
  "src/infer/enum/log-joint.ts enumeratedLogJoint": "internal; needs a fixture `setup`",
  "src/infer/enum/log-joint.ts enumerated": "internal; needs a fixture `setup`",
  "src/primitives/scan-chain.ts toPrevious": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts stepFactor": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts forward": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts forwardMessages": "internal; needs a fixture `chainFactor`",
  "src/primitives/scan-chain.ts ScanChainFactorClass": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts chainSiteMessage": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts chainCost": "internal; needs a fixture `chain`",
  "src/primitives/scan-chain.ts scanChainOf": "internal; needs a fixture `firstStep`",
  "src/infer/mcmc/discrete-strategy.ts discreteStrategy":
    "internal; needs a fixture `discoverModel`",
  "src/infer/mcmc/gibbs.ts withGibbsUpdate": "internal; needs a fixture `spec`",
  "src/infer/mcmc/sampling-algorithm.ts Warmup": "a sketch with elided code (...)",
  "src/infer/mcmc/worker-pool.ts start":
    "starts worker threads, which cannot receive the doctest scope",
  "src/infer/mcmc/worker-pool.ts shared":
    "starts worker threads, which cannot receive the doctest scope",
  "src/infer/member-draws.ts memberSeed": "internal; needs a fixture `probe`",
  "src/infer/nuts/runner.ts chainJob": "internal; needs a fixture `pool`",
  "src/infer/nuts/sampler.ts chainSetup": "internal; needs a fixture `nutsSettings`",
  "src/infer/nuts/trajectory.ts TrajectoryBuilder": "internal; needs a fixture `start`",
  "src/infer/pathfinder/bfgs-gaussian.ts bfgsGaussian": "internal; needs a fixture `g`",
  "src/infer/svi/autoguide/auto-continuous.ts withPosterior":
    "internal; needs a fixture `AutoDiagonalNormalGuide`",
  "src/infer/svi/autoguide/site-plates.ts forEachSite": "internal; needs a fixture `proto`",
  "src/primitives/batch-context.ts withBatchFrame": "internal; needs a fixture `args`",
  "src/primitives/scan-step.ts runStep": "internal; needs a fixture `body`",
  "src/primitives/scan-step.ts ownRank": "internal; needs a fixture `vmapFrameAtDim3`",
  "src/primitives/scan-traced.ts tracedScan": "internal; needs a fixture `tracer`",
  "src/primitives/scan-tracer.ts scanStepsToRun": "internal; needs a fixture `length`",
  "src/primitives/scan-tracer.ts withScanTracer": "internal; needs a fixture `tracer`",
  "src/tf.ts setWasmPaths":
    'the wasm backend does not initialize under vitest\'s module loader; tests/backend.test.ts runs useBackend("wasm") in a fresh Node process',
  "src/tf.ts useBackend":
    'the wasm backend does not initialize under vitest\'s module loader; tests/backend.test.ts runs useBackend("wasm") in a fresh Node process',
  "src/infer/mcmc/worker-entry.ts chainWorkerEntry": "starts a worker thread",
};
