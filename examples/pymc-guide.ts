/**
 * The cases of PyMC's developer guide, in Tyche.
 *
 *   npx tsx examples/pymc-guide.ts
 *
 * 1. The z/x model's log-probabilities at z = 2.5 (PyMC's `point_logps`).
 * 2. A conditional log density: the potential over a subset of sites with the others held
 *    fixed, like `model.logp_dlogp_function(grad_vars=...)`, checked against finite differences.
 * 3. The flat layout round trip, as PyMC's `DictToArrayBijection.map` and `rmap`.
 * 4. Prior predictive broadcasting: mu (5,1) and sigma (1,10) with x observed as (2,5,10)
 *    give 100 draws of x with shape (100,2,5,10).
 */
import { HalfNormal, logDensity, Normal, PRNGKey, Predictive, sample } from "../src/index.js";
import { pointLogProbs, potential } from "../src/infer/index.js";

/** z ~ N(0, 5), x ~ N(z, 1) observed at 5. */
export function* zxModel() {
  const z = yield* sample("z", Normal(0, 5));
  yield* sample("x", Normal(z, 1), { obs: 5 });
}

/** A three-site model for the conditional density: a ~ N(0, 1), b ~ HalfNormal(1), y ~ N(a, b). */
export function* abModel(y: number[]) {
  const a = yield* sample("a", Normal(0, 1));
  const b = yield* sample("b", HalfNormal(1));
  yield* sample("y", Normal(a, b).expand([y.length]), { obs: y });
}

/** PyMC's broadcasting case. */
export function* broadcastModel(x: number[][][]) {
  const mu = yield* sample("mu", Normal(0, 1).expand([5, 1]));
  const sigma = yield* sample("sigma", HalfNormal(5).expand([1, 10]));
  yield* sample("x", Normal(mu, sigma), { obs: x });
}

/** Runs the four cases and returns what it printed, for the tests. */
export function runGuide(print: (line: string) => void = console.log) {
  // 1. Log-probabilities at z = 2.5.
  const perSite = pointLogProbs(zxModel, [], { z: 2.5 });
  const total = logDensity(zxModel, [], { z: 2.5 });
  print(
    `1. log p(z=2.5) = ${perSite.z.toFixed(8)}, log p(x=5 | z) = ${perSite.x.toFixed(8)}, model = ${total.toFixed(7)}`,
  );

  // 2. The conditional density of a with b fixed at 0.8, and its gradient against central differences.
  const y = [0.3, -0.4, 1.1];
  const conditional = potential(abModel, [y], { fixed: { b: 0.8 } });
  const a = Float64Array.of(0.25);
  const grad = new Float64Array(conditional.dim);
  const energy = conditional.valueAndGrad(a, grad);
  const h = 1e-3;
  const numeric =
    (conditional.valueAndGrad(Float64Array.of(a[0] + h), new Float64Array(1)) -
      conditional.valueAndGrad(Float64Array.of(a[0] - h), new Float64Array(1))) /
    (2 * h);
  print(
    `2. conditional potential over [${conditional.layout.sites.map((s) => s.name)}] with b = 0.8: ` +
      `U(a=0.25) = ${energy.toFixed(6)}, dU/da = ${grad[0].toFixed(6)} (central differences ${numeric.toFixed(6)})`,
  );

  // 3. The flat layout round trip.
  const full = potential(abModel, [y]);
  const point = { a: -0.7, b: 1.9 };
  const q = full.ravel(point);
  const back = full.unravel(q);
  print(
    `3. map({a: -0.7, b: 1.9}) = [${Array.from(q, (v) => v.toFixed(6))}] (b on the log scale); ` +
      `rmap gives a = ${back.a.data[0]}, b = ${back.b.data[0]}`,
  );

  // 4. Prior predictive broadcasting.
  const observed = Array.from({ length: 2 }, () =>
    Array.from({ length: 5 }, () => Array.from({ length: 10 }, () => 0)),
  );
  const prior = new Predictive(broadcastModel, { numSamples: 100 }).run(PRNGKey(0), observed);
  print(
    `4. prior predictive shapes: mu ${JSON.stringify(prior.mu.shape)}, sigma ${JSON.stringify(prior.sigma.shape)}, x ${JSON.stringify(prior.x.shape)}`,
  );

  return { perSite, total, energy, grad: grad[0], numeric, q, back, prior };
}

if (import.meta.url === `file://${process.argv[1]}`) runGuide();
