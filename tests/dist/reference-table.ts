/**
 * The scipy reference table (tests/oracles/distributions.json) and the constructor call
 * for each of its families, made from the row's parameters by the API convention: parameter
 * names in camelCase, positional in the file's order, except the probs/logits families (an
 * object) and MultivariateNormal (loc, { covarianceMatrix }).
 */
import type { Distribution } from "../../src/dist/index.js";
import * as dist from "../../src/dist/index.js";
import { readOracle } from "../oracles/paths.js";

export type Params = Record<string, number | number[] | number[][]>;

export interface ReferenceRow {
  params: Params;
  x: number | number[] | number[][];
  log_prob: number;
  cdf?: number;
  mean?: number | number[];
  variance?: number | number[];
  entropy?: number;
}

export const table: Record<string, ReferenceRow[]> = readOracle("distributions.json").families;

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Families whose probability parameter is given as { probs } or { logits }. */
const probsFamilies: Record<string, { family: string; key: "probs" | "logits" }> = {
  Bernoulli: { family: "Bernoulli", key: "probs" },
  BernoulliLogits: { family: "Bernoulli", key: "logits" },
  Binomial: { family: "Binomial", key: "probs" },
  BinomialLogits: { family: "Binomial", key: "logits" },
  Geometric: { family: "Geometric", key: "probs" },
  Categorical: { family: "Categorical", key: "probs" },
  Multinomial: { family: "Multinomial", key: "probs" },
};

/** The distribution of a table row, built through the public constructor of its family. */
export function construct(family: string, params: Params): Distribution {
  const constructors = dist as unknown as Record<string, (...args: any[]) => Distribution>;
  const names = Object.keys(params);
  if (family === "MultivariateNormal") {
    return dist.MultivariateNormal(params.loc as number[], {
      covarianceMatrix: params.covariance_matrix as number[][],
    });
  }
  const special = probsFamilies[family];
  if (special !== undefined) {
    const positional = names.filter((n) => n !== "probs" && n !== "logits").map((n) => params[n]);
    const spec = { [special.key]: params[special.key] };
    return constructors[special.family](...positional, spec);
  }
  const make = constructors[family];
  if (make === undefined) throw new Error(`no constructor named ${family}`);
  return make(...names.map((n) => params[n]));
}

/** A row's parameters with camelCase names, for messages. */
export function describeParams(params: Params): string {
  return Object.entries(params)
    .map(([name, value]) => `${camel(name)}=${JSON.stringify(value)}`)
    .join(", ");
}
