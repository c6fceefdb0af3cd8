/**
 * `renderModel`: a model as a Graphviz DOT graph, as NumPyro's `render_model` and PyMC's
 * `model_to_graphviz` draw it: a node per site (latent white, observed grey, factors grey
 * octagons, deterministic dashed, params as plain text when asked for), plates as labelled
 * clusters with their sizes (nested plates nested), and an edge wherever a site's value flows
 * into another site (`getModelRelations`).
 */
import type { Model } from "../primitives/runtime.js";
import { getModelRelations, type ModelSite } from "./model-relations.js";

/** Options of `renderModel` and `renderModelSvg`. */
export interface RenderModelOptions {
  /** Add a legend node listing each site's distribution (NumPyro's render_distributions). */
  renderDistributions?: boolean;
  /** Draw `param` sites and their edges (NumPyro's render_params). */
  renderParams?: boolean;
}

/**
 * The model's graph in the DOT language (render it with Graphviz, or with `renderModelSvg`).
 *
 * @example
 * const dot = renderModel(eightSchools, [sigma, y]);
 * // digraph { subgraph "cluster_school" { label="school (8)" ... } "mu" -> "theta" ... }
 */
export function renderModel<A extends unknown[]>(
  model: Model<A, unknown>,
  args: A,
  options: RenderModelOptions = {},
): string {
  const relations = getModelRelations(model, args);
  const sites = relations.sites.filter((s) => s.kind !== "param" || options.renderParams);
  const shown = new Set(sites.map((s) => s.name));
  const sizes = new Map(relations.plates.map((p) => [p.name, p.size]));

  // Outer plates hold more sites: a site's plates are ordered by that (ties: entering order),
  // and the ordered lists form a tree of clusters. Plates that cross appear more than once.
  const count = new Map<string, number>();
  for (const s of sites) for (const p of s.plates) count.set(p, (count.get(p) ?? 0) + 1);
  const root: Cluster = { path: [], children: new Map(), sites: [] };
  for (const s of sites) {
    const path = s.plates
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (count.get(b.p) ?? 0) - (count.get(a.p) ?? 0) || a.i - b.i)
      .map(({ p }) => p);
    let node = root;
    for (const p of path) {
      let child = node.children.get(p);
      if (child === undefined) {
        child = { path: [...node.path, p], children: new Map(), sites: [] };
        node.children.set(p, child);
      }
      node = child;
    }
    node.sites.push(s);
  }

  const lines: string[] = ["digraph {"];
  const emit = (cluster: Cluster, indent: string) => {
    for (const s of cluster.sites) lines.push(`${indent}${nodeStatement(s)}`);
    for (const child of cluster.children.values()) {
      const name = child.path[child.path.length - 1];
      lines.push(`${indent}subgraph ${quote(`cluster_${child.path.join("__")}`)} {`);
      lines.push(
        `${indent}  label=${quote(`${name} (${sizes.get(name)})`)} labeljust=r labelloc=b`,
      );
      emit(child, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  emit(root, "  ");
  for (const s of sites) {
    for (const parent of s.parents) {
      if (shown.has(parent)) lines.push(`  ${quote(parent)} -> ${quote(s.name)}`);
    }
  }
  if (options.renderDistributions) {
    const legend = sites
      .map((s) => `${s.name} ${describe(s)}`)
      .map((line) => `${quoteDot(line)}\\l`)
      .join("");
    lines.push(`  "distribution_description_node" [label="${legend}" shape=plaintext]`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

interface Cluster {
  path: string[];
  children: Map<string, Cluster>;
  sites: ModelSite[];
}

function nodeStatement(s: ModelSite): string {
  const attrs: Record<SiteKindStyle, string> = {
    latent: "shape=ellipse style=filled fillcolor=white",
    observed: "shape=ellipse style=filled fillcolor=grey",
    factor: "shape=octagon style=filled fillcolor=grey",
    deterministic: 'shape=ellipse style="filled,dashed" fillcolor=white',
    param: "shape=plain",
  };
  return `${quote(s.name)} [label=${quote(s.name)} ${attrs[s.kind]}]`;
}

type SiteKindStyle = ModelSite["kind"];

function describe(s: ModelSite): string {
  switch (s.kind) {
    case "deterministic":
      return "= deterministic";
    case "param":
      return ": param";
    case "factor":
      return ": factor";
    default:
      return `~ ${s.distribution}`;
  }
}

function quoteDot(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function quote(text: string): string {
  return `"${quoteDot(text)}"`;
}
