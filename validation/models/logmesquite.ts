/**
 * mesquite-logmesquite (posteriordb; Gelman & Hill, ARM ch. 4): log weight of mesquite bushes
 * on log measurements and a group indicator.
 *
 *   beta ~ flat on R^7, sigma ~ flat on (0, inf) (no prior statements; flat in sigma itself),
 *   log weight[n] ~ Normal(beta[1] + beta[2] log diam1 + beta[3] log diam2
 *     + beta[4] log canopy_height + beta[5] log total_height + beta[6] log density
 *     + beta[7] group, sigma).
 */
import { constraints, ImproperUniform, Normal, sample, type tf } from "../../src/index.js";
import {
  type PosteriorDefinition,
  readPosteriorFile,
  scalarSite,
  vectorElements,
} from "../posteriordb.js";
import { designMatrix, linearPredictor } from "./linear-predictor.js";

const POSTERIOR = "mesquite-logmesquite";

/** The data: log weights and the design matrix of logged predictors and the group. */
export interface MesquiteData {
  readonly logWeight: number[];
  readonly x: tf.Tensor;
}

interface RawMesquite {
  weight: number[];
  diam1: number[];
  diam2: number[];
  canopy_height: number[];
  total_height: number[];
  density: number[];
  group: number[];
}

/** data.json with the logged columns derived (`group` is not logged). */
export function loadData(): MesquiteData {
  const raw = readPosteriorFile<RawMesquite>(POSTERIOR, "data.json");
  const log = (v: number[]) => v.map(Math.log);
  const x = designMatrix([
    raw.weight.map(() => 1),
    log(raw.diam1),
    log(raw.diam2),
    log(raw.canopy_height),
    log(raw.total_height),
    log(raw.density),
    raw.group,
  ]);
  return { logWeight: log(raw.weight), x };
}

/** The log-log regression with flat priors. */
export function* model(data: MesquiteData) {
  const beta = yield* sample("beta", ImproperUniform(constraints.real, [7]));
  const sigma = yield* sample("sigma", ImproperUniform(constraints.positive));
  yield* sample("log_weight", Normal(linearPredictor(data.x, beta), sigma), {
    obs: data.logWeight,
  });
}

/** The posterior as the validation runs it. */
export const logmesquite: PosteriorDefinition<MesquiteData> = {
  posterior: POSTERIOR,
  model,
  loadData,
  scalars: { ...vectorElements("beta", 7), ...scalarSite("sigma") },
};
