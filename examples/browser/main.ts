/**
 * The page: starts the sampling worker, shows the model's graph (an SVG drawn by Graphviz in
 * the worker), draws a progress bar per chain while it runs, then the summary table and the
 * trace and posterior plots (Vega-Lite specifications built by Tyche in
 * the worker, rendered here by Vega as SVG).
 *
 * The run's settings come from the query string (`?seed=1&warmup=500&samples=500&chains=4`),
 * with the defaults below.
 */

import type { TopLevelSpec } from "vega-lite";
import type { SummaryRow } from "../../src/index.js";
import type { DoneMessage, ProgressMessage, RunRequest, WorkerMessage } from "./messages.js";

const query = new URLSearchParams(location.search);
const setting = (name: string, fallback: number) => {
  const value = Number(query.get(name) ?? fallback);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
};
const request: RunRequest = {
  type: "run",
  seed: setting("seed", 0),
  numWarmup: setting("warmup", 1000),
  numSamples: Math.max(1, setting("samples", 1000)),
  numChains: Math.max(1, setting("chains", 4)),
};

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>("status");
const progressList = element<HTMLDivElement>("progress");

function setStatus(state: "sampling" | "done" | "error", text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

/** One row per chain: a <progress> bar and a line of text. */
function progressRows(numChains: number): { bar: HTMLProgressElement; text: HTMLElement }[] {
  return Array.from({ length: numChains }, (_, chain) => {
    const row = document.createElement("div");
    row.className = "chain";
    const label = document.createElement("span");
    label.textContent = `chain ${chain + 1}`;
    const bar = document.createElement("progress");
    bar.max = request.numWarmup + request.numSamples;
    bar.value = 0;
    const text = document.createElement("span");
    text.className = "chain-text";
    text.textContent = "waiting";
    row.append(label, bar, text);
    progressList.append(row);
    return { bar, text };
  });
}

function showProgress(rows: ReturnType<typeof progressRows>, p: ProgressMessage): void {
  const row = rows[p.chain];
  row.bar.max = p.numIterations;
  row.bar.value = p.iteration;
  const divergences = p.numDivergences === 1 ? "1 divergence" : `${p.numDivergences} divergences`;
  const stepSize = p.stepSize === undefined ? "" : `, step size ${p.stepSize.toPrecision(3)}`;
  row.text.textContent = `${p.phase} ${p.iteration}/${p.numIterations}${stepSize}, ${divergences}`;
}

const COLUMNS: { key: keyof SummaryRow; title: string; digits: number }[] = [
  { key: "mean", title: "mean", digits: 2 },
  { key: "sd", title: "sd", digits: 2 },
  { key: "median", title: "median", digits: 2 },
  { key: "q5", title: "5%", digits: 2 },
  { key: "q95", title: "95%", digits: 2 },
  { key: "essBulk", title: "ess_bulk", digits: 0 },
  { key: "essTail", title: "ess_tail", digits: 0 },
  { key: "rhat", title: "r_hat", digits: 2 },
];

/** The summary table: a row per scalar, `data-site` and `data-column` name every cell. */
function showSummary(summary: Record<string, SummaryRow>): void {
  const table = element<HTMLTableElement>("summary");
  const head = table.createTHead().insertRow();
  for (const title of ["", ...COLUMNS.map((c) => c.title)]) {
    const th = document.createElement("th");
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [name, row] of Object.entries(summary)) {
    const tr = body.insertRow();
    tr.dataset.site = name;
    const th = document.createElement("th");
    th.textContent = name;
    tr.append(th);
    for (const column of COLUMNS) {
      const td = tr.insertCell();
      td.dataset.column = column.key;
      td.textContent = row[column.key].toFixed(column.digits);
    }
  }
}

/** Renders a Vega-Lite specification as SVG into the element with this id. */
async function showPlot(id: string, spec: TopLevelSpec): Promise<void> {
  // Loaded on demand: the page shows progress before the plotting code arrives.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
    renderer: "svg",
    container: element(id),
    hover: true,
  });
  await view.runAsync();
}

async function showResult(done: DoneMessage): Promise<void> {
  showSummary(done.summary);
  const divergences =
    done.numDivergences === 1 ? "1 divergence" : `${done.numDivergences} divergences`;
  element("run-info").textContent =
    `${request.numChains} chains of ${request.numWarmup} warmup and ${request.numSamples} ` +
    `draws in ${done.seconds.toFixed(1)} s on the ${done.backend} backend ` +
    `(${done.engine} engine); ${divergences}.`;
  await Promise.all([
    showPlot("trace-plot", done.traceSpec),
    showPlot("posterior-plot", done.posteriorSpec),
  ]);
}

const rows = progressRows(request.numChains);
const worker = new Worker(new URL("./sampler.worker.ts", import.meta.url), { type: "module" });
worker.addEventListener("message", (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  if (message.type === "progress") showProgress(rows, message);
  else if (message.type === "graph") element("model-graph").innerHTML = message.svg;
  else if (message.type === "error") setStatus("error", `Sampling failed: ${message.message}`);
  else {
    worker.terminate();
    showResult(message).then(
      () => setStatus("done", "Done."),
      (error: unknown) => setStatus("error", `Plotting failed: ${String(error)}`),
    );
  }
});
worker.addEventListener("error", (event) => setStatus("error", `Worker failed: ${event.message}`));
setStatus("sampling", "Sampling in a Web Worker...");
worker.postMessage(request);
