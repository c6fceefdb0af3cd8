/**
 * renderModel on eight schools (non-centred), the PyMC notebook's HMM and a two-level
 * nested-plate model: the DOT is read back by Graphviz itself (@viz-js/viz's JSON output),
 * and the nodes with their styles, the clusters with their labels and nesting, and the edges
 * must be exactly the expected ones. The edges come from the data flow: a model whose
 * dependencies pass through arithmetic, gather and matMul, and whose variable names mislead,
 * gets the edges of what it computes.
 */
import { instance } from "@viz-js/viz";
import { describe, expect, it } from "vitest";
import { eightSchools, sigma, y } from "../../examples/browser/eight-schools.js";
import { emissions, hmmModel } from "../../examples/hmm.js";
import {
  constant,
  HalfNormal,
  Normal,
  param,
  plate,
  renderModel,
  renderModelSvg,
  sample,
  tf,
} from "../../src/index.js";

interface GraphShape {
  nodes: Record<string, string>;
  clusters: ClusterShape[];
  edges: string[];
}
interface ClusterShape {
  label: string;
  nodes: string[];
  clusters: ClusterShape[];
}

const viz = await instance();

/** What Graphviz understood of the DOT: node styles, clusters (nested) and edges. */
function parse(dot: string): GraphShape {
  const json = viz.renderJSON(dot) as {
    objects: {
      _gvid: number;
      name: string;
      label?: string;
      nodes?: number[];
      subgraphs?: number[];
      shape?: string;
      style?: string;
      fillcolor?: string;
    }[];
    edges?: { tail: number; head: number }[];
  };
  const objects = json.objects;
  const isCluster = (o: (typeof objects)[number]) => o.name.startsWith("cluster");
  const nodes: Record<string, string> = {};
  for (const o of objects) {
    if (isCluster(o) || o.name === "distribution_description_node") continue;
    nodes[o.name] = [o.shape ?? "ellipse", o.style ?? "", o.fillcolor ?? ""].join(" ");
  }
  const byId = new Map(objects.map((o) => [o._gvid, o]));
  const nested = new Set(objects.flatMap((o) => o.subgraphs ?? []));
  const cluster = (o: (typeof objects)[number]): ClusterShape => {
    const inner = (o.subgraphs ?? []).map((id) => byId.get(id)!);
    const deeper = new Set(inner.flatMap((c) => c.nodes ?? []));
    return {
      label: o.label ?? "",
      nodes: (o.nodes ?? []).filter((n) => !deeper.has(n)).map((n) => byId.get(n)!.name),
      clusters: inner.map(cluster),
    };
  };
  return {
    nodes,
    clusters: objects.filter((o) => isCluster(o) && !nested.has(o._gvid)).map(cluster),
    edges: (json.edges ?? []).map((e) => `${byId.get(e.tail)!.name} -> ${byId.get(e.head)!.name}`),
  };
}

const latent = "ellipse filled white";
const observed = "ellipse filled grey";
const deterministic = "ellipse filled,dashed white";

describe("renderModel", () => {
  it("eight schools, non-centred", () => {
    expect(parse(renderModel(eightSchools, [sigma, y]))).toEqual({
      nodes: { mu: latent, tau: latent, eta: latent, theta: deterministic, y: observed },
      clusters: [{ label: "school (8)", nodes: ["eta", "theta", "y"], clusters: [] }],
      edges: ["mu -> theta", "tau -> theta", "eta -> theta", "theta -> y"],
    });
  });

  it("the PyMC notebook's HMM: every parameter feeds the marginal likelihood factor", () => {
    expect(parse(renderModel(hmmModel, [emissions, "tfjs"]))).toEqual({
      nodes: {
        signal: latent,
        noise: latent,
        p_initial: latent,
        p_transition: latent,
        emission: "octagon filled grey",
      },
      clusters: [],
      edges: [
        "signal -> emission",
        "noise -> emission",
        "p_initial -> emission",
        "p_transition -> emission",
      ],
    });
  });

  it("two nested plates", () => {
    function* nested(obs: number[][]) {
      const mu = yield* sample("mu", Normal(0, 5));
      const sd = yield* sample("sigma", HalfNormal(1));
      yield* plate(
        "group",
        obs.length,
        function* () {
          const alpha = yield* sample("alpha", Normal(mu, 1));
          yield* plate("obs", obs[0].length, function* () {
            yield* sample("y", Normal(alpha, sd), { obs });
          });
        },
        { dim: -2 },
      );
    }
    const data = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [0, 1, 0],
    ];
    expect(parse(renderModel(nested, [data]))).toEqual({
      nodes: { mu: latent, sigma: latent, alpha: latent, y: observed },
      clusters: [
        {
          label: "group (4)",
          nodes: ["alpha"],
          clusters: [{ label: "obs (3)", nodes: ["y"], clusters: [] }],
        },
      ],
      edges: ["mu -> alpha", "sigma -> y", "alpha -> y"],
    });
  });

  it("finds edges from what the model computes, not from names", () => {
    function* misleading() {
      const a = yield* sample("a", Normal(0, 1));
      const b = yield* sample("b", Normal(0, 1));
      const unusedB = tf.mul(b, 0); // computed, then never used by a distribution
      void unusedB;
      const fromA = tf.matMul(tf.reshape(tf.exp(a), [1, 1]), constant([[2, 3]]));
      const picked = tf.gather(tf.reshape(fromA, [2]), constant([1], "int32"));
      yield* sample("b_child", Normal(0, picked), { obs: [0.5] });
      const w = yield* param("w", 0.3);
      yield* sample("c", Normal(tf.add(b, w), 1));
    }
    expect(parse(renderModel(misleading, [])).edges).toEqual(["a -> b_child", "b -> c"]);
    const withParams = parse(renderModel(misleading, [], { renderParams: true }));
    expect(withParams.nodes.w).toBe("plain  ");
    expect(withParams.edges).toEqual(["a -> b_child", "b -> c", "w -> c"]);
  });

  it("lists distributions on request", () => {
    const dot = renderModel(eightSchools, [sigma, y], { renderDistributions: true });
    expect(dot).toContain(
      'label="mu ~ Normal\\ltau ~ HalfCauchy\\leta ~ Normal\\ltheta = deterministic\\ly ~ Normal\\l"',
    );
  });
});

describe("renderModelSvg", () => {
  it("draws the graph with Graphviz (WebAssembly)", async () => {
    const svg = await renderModelSvg(eightSchools, [sigma, y]);
    expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
    expect(svg.match(/<g id="node\d+" class="node">/g)?.length).toBe(5);
    expect(svg.match(/<g id="edge\d+" class="edge">/g)?.length).toBe(4);
    expect(svg).toContain("school (8)");
  });
});
