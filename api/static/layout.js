// The drawing, with Cytoscape: what it draws — the whole organisation, or one department and its
// partners at a time — read from the API, laid out, and redrawn when the view changes.
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { renderLists, showError } from "./panels.js";
import { current, nameOf, staleBetween, state } from "./state.js";

// --- the diagram ------------------------------------------------------------------------
const GRAPH = `query ExplorerGraph {
  departments { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
    relationships { key departments { key } flows { provider { key } receiver { key } } } }
  parties { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
    departments { key } }
}`;

export async function loadGraph() {
  const data = await gql(GRAPH);
  state.nodes = {};
  state.edges = [];
  const counts = {};
  const seen = new Set();
  for (const d of data.departments) {
    state.nodes[d.key] = { ...d, kind: "department" };
    for (const r of d.relationships) {
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      for (const f of r.flows) {
        const id = `${f.provider.key}->${f.receiver.key}`;
        counts[id] = (counts[id] || 0) + 1;
      }
    }
  }
  for (const [id, count] of Object.entries(counts)) {
    const [from, to] = id.split("->");
    state.edges.push({ id, from, to, count, kind: "flows" });
  }
  for (const p of data.parties) {
    state.nodes[p.key] = { ...p, kind: "party" };
    for (const d of p.departments) state.edges.push({ id: `${p.key}--${d.key}`, from: p.key, to: d.key, count: 0, kind: "party" });
  }
}

// What is overdue for review (never verified, or verified longer ago than the interval): the
// relationships `stale` lists, marked in the drawing and in the panels. It depends on the time,
// so it is read at start and after every change, never from a cache.
const STALE = `query ExplorerStale { stale(limit: 1000) { key departments { key } } }`;

export async function loadStale() {
  const data = await gql(STALE);
  state.stale = new Map(data.stale.map((r) => [r.key, r.departments.map((d) => d.key)]));
}

// --- a large organisation: one department and its partners at a time ---------------------
const HOOD = `query ExplorerFocus($key: String!) {
  department(key: $key) { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
    needs { provider { key vi: name(lang: VI) en: name(lang: EN) } }
    contributions { receiver { key vi: name(lang: VI) en: name(lang: EN) } } } }`;

export async function neighbourhood(key) {
  if (state.hoods[key]) return state.hoods[key];
  const d = (await gql(HOOD, { key })).department;
  if (!d) throw new Error(key);
  const hood = { key: d.key, node: { ...d, kind: "department" }, partners: {}, out: {}, in: {} };
  for (const f of d.needs) {
    hood.partners[f.provider.key] = f.provider;
    hood.in[f.provider.key] = (hood.in[f.provider.key] || 0) + 1;
  }
  for (const f of d.contributions) {
    hood.partners[f.receiver.key] = f.receiver;
    hood.out[f.receiver.key] = (hood.out[f.receiver.key] || 0) + 1;
  }
  for (const n of [d, ...Object.values(hood.partners)]) state.names[n.key] = { vi: n.vi, en: n.en };
  state.hoods[key] = state.hoods[d.key] = hood;
  return hood;
}

// The drawing of the current view: its centre and expanded departments with all their partners.
export function focusGraph() {
  const view = current();
  state.nodes = {};
  state.edges = [];
  if (!view) return;
  const ids = new Set();
  const edge = (from, to, count) => {
    const id = `${from}->${to}`;
    if (!ids.has(id)) { ids.add(id); state.edges.push({ id, from, to, count, kind: "flows" }); }
  };
  for (const key of [view.center, ...view.expanded]) {
    const hood = state.hoods[key];
    for (const [k, n] of Object.entries(hood.partners)) {
      if (!state.nodes[k]) state.nodes[k] = { key: k, vi: n.vi, en: n.en, aliasesVi: [], aliasesEn: [], kind: "department" };
    }
  }
  for (const key of [view.center, ...view.expanded]) {
    const hood = state.hoods[key];
    state.nodes[key] = hood.node;
    for (const [k, count] of Object.entries(hood.out)) edge(key, k, count);
    for (const [k, count] of Object.entries(hood.in)) edge(k, key, count);
  }
  for (const p of state.parties) {
    const linked = p.departments.filter((d) => state.nodes[d.key]);
    if (!linked.length) continue;
    state.nodes[p.key] = { ...p, kind: "party" };
    for (const d of linked) state.edges.push({ id: `${p.key}--${d.key}`, from: p.key, to: d.key, count: 0, kind: "party" });
  }
}

export async function focusOn(key) {
  const hood = await neighbourhood(key);
  state.trail.push({ center: hood.key, expanded: [] });
  redraw();
}

export async function expand(key) {
  const hood = await neighbourhood(key);
  const view = current();
  if (view.center === hood.key || view.expanded.includes(hood.key)) return;
  state.trail.push({ center: view.center, expanded: [...view.expanded, hood.key] });
  redraw();
}

export async function back() {
  if (state.trail.length < 2) return;
  state.trail.pop();
  const view = current();
  await Promise.all([view.center, ...view.expanded].map(neighbourhood)); // dropped by a refresh
  redraw();
}

// In focus mode a view that names departments not drawn starts from the first of them.
export async function ensureDrawn(keys) {
  if (!state.trail.length) await focusOn(keys[0] || state.start);
  else if (keys.length && keys.some((k) => !state.nodes[k] || state.nodes[k].kind !== "department")) await focusOn(keys[0]);
}

export function redraw() {
  if (!state.cy) return;
  if (state.mode === "focus") focusGraph();
  document.getElementById("tooltip").hidden = true; // it named something that may be gone
  state.cy.elements().remove();
  state.cy.add(elements());
  state.cy.layout(layoutOptions()).run();
  renderLists();
  const backButton = document.getElementById("back");
  backButton.hidden = !(state.mode === "focus" && state.view === "graph" && state.trail.length > 1);
}

// A radial tree around the centre: its partners on a ring, and the partners an expansion adds
// on the next ring, in the wedge of the department they were expanded from (few crossings).
function radial(center) {
  const neighbours = {};
  for (const e of state.edges) {
    (neighbours[e.from] = neighbours[e.from] || []).push(e.to);
    (neighbours[e.to] = neighbours[e.to] || []).push(e.from);
  }
  const children = {};
  const depth = { [center]: 0 };
  const queue = [center];
  while (queue.length) {
    const at = queue.shift();
    children[at] = [...new Set(neighbours[at] || [])].filter((k) => depth[k] === undefined).sort();
    for (const k of children[at]) { depth[k] = depth[at] + 1; queue.push(k); }
  }
  const place = { [center]: { angle: -Math.PI / 2, wedge: 2 * Math.PI } };
  const positions = { [center]: { x: 0, y: 0 } };
  const ring = (d, count, wedge) => Math.max(230 * d, (count * 160) / Math.max(wedge, 0.3));
  for (const at of Object.keys(depth).sort((a, b) => depth[a] - depth[b])) {
    const kids = children[at] || [];
    // Beyond the first ring a department's partners may spread past its own wedge (up to twice it).
    const angle = place[at].angle;
    const wedge = depth[at] === 0 ? place[at].wedge : Math.min(2 * place[at].wedge, Math.PI * 0.9);
    const share = wedge / Math.max(kids.length, 1);
    const radius = ring(depth[at] + 1, kids.length, wedge);
    kids.forEach((k, i) => {
      const a = depth[at] === 0 ? angle + i * share : angle - wedge / 2 + (i + 0.5) * share;
      place[k] = { angle: a, wedge: share };
      positions[k] = { x: radius * Math.cos(a), y: radius * Math.sin(a) };
    });
  }
  return (node) => positions[node.id()] || { x: 0, y: 0 };
}

export function layoutOptions() {
  if (state.view === "paths") {
    return { name: "breadthfirst", directed: true, roots: state.pathFrom ? [state.pathFrom] : undefined, fit: true,
      padding: 30, spacingFactor: 1.05, animate: false };
  }
  if (state.mode === "focus" && current()) {
    return { name: "preset", positions: radial(current().center), fit: true, padding: 30, animate: false };
  }
  const degree = {};
  for (const e of state.edges) if (e.kind === "flows") { degree[e.from] = (degree[e.from] || 0) + 1; degree[e.to] = (degree[e.to] || 0) + 1; }
  return {
    name: "concentric", fit: true, padding: 30, minNodeSpacing: 50, animate: false,
    concentric: (n) => (n.data("kind") === "party" ? 0 : (degree[n.id()] || 0)),
    levelWidth: () => 3,
  };
}

export function elements() {
  if (state.view === "paths") return state.pathElements;
  const center = state.mode === "focus" && current() ? current().center : null;
  const nodes = Object.values(state.nodes).map((n) => ({ data: { id: n.key, label: n[state.lang], kind: n.kind },
    classes: n.key === center ? "center" : "" }));
  const edges = state.edges.map((e) => ({
    data: { id: e.id, source: e.from, target: e.to, count: e.count, label: e.kind === "flows" ? String(e.count) : "", kind: e.kind,
      stale: e.kind === "flows" && staleBetween(e.from, e.to) ? "yes" : "no" },
  }));
  return [...nodes, ...edges];
}

export function drawGraph() {
  state.cy = cytoscape({
    container: document.getElementById("cy"),
    elements: elements(),
    style: [
      { selector: "node", style: {
        label: "data(label)", "text-wrap": "wrap", "text-max-width": "120px", "font-size": "13px",
        "text-valign": "center", "text-halign": "center", width: "150px", height: "56px", shape: "round-rectangle",
        "background-color": "#e8eef8", "border-width": 2, "border-color": "#2b3a55", color: "#111" } },
      { selector: "node[kind = 'party']", style: { shape: "ellipse", "border-style": "dashed", "background-color": "#fdf6e3", width: "110px" } },
      { selector: "node.highlight", style: { "border-width": 6, "border-style": "double", "border-color": "#7a3e00" } },
      { selector: "node:selected", style: { "border-width": 6, "border-style": "solid", "border-color": "#000", "font-weight": "bold", "background-color": "#fff" } },
      { selector: "edge", style: {
        "curve-style": "bezier", "control-point-step-size": 48, width: "mapData(count, 1, 12, 2, 7)",
        "line-color": "#55606e", "target-arrow-shape": "triangle", "target-arrow-color": "#55606e", "arrow-scale": 1.3,
        label: "data(label)", "font-size": "13px", "font-weight": "bold", "text-background-color": "#fff",
        "text-background-opacity": 1, "text-background-padding": "2px", "text-border-width": 1, "text-border-opacity": 1,
        "text-border-color": "#55606e" } },
      { selector: "edge[kind = 'party']", style: { "line-style": "dashed", "target-arrow-shape": "none", width: 2 } },
      { selector: "edge[stale = 'yes']", style: { "line-style": "dotted", "line-color": "#b35c00", "target-arrow-color": "#b35c00" } },
      { selector: "edge:selected", style: { width: 9, "line-color": "#000", "target-arrow-color": "#000" } },
      { selector: "node.center", style: { "border-width": 5, "font-weight": "bold", "background-color": "#fff" } },
      { selector: "edge[kind = 'path']", style: { width: 3, "font-size": "11px", "font-weight": "normal", "text-wrap": "wrap",
        "text-max-width": "160px" } },
    ],
    layout: layoutOptions(),
  });
  const cy = state.cy;
  cy.on("tap", "node", (event) => {
    const node = event.target.data();
    location.hash = node.kind === "party" ? `#/party/${node.id}` : `#/department/${node.id}`;
  });
  cy.on("dbltap", "node[kind = 'department']", (event) => {
    if (state.mode === "focus" && state.view === "graph") expand(event.target.id()).catch(showError);
  });
  cy.on("tap", "edge[kind = 'flows'], edge[kind = 'path']", (event) => {
    const e = event.target.data();
    location.hash = `#/flows/${e.source}/${e.target}`;
  });
  const tip = document.getElementById("tooltip");
  cy.on("mouseover", "node, edge", (event) => {
    const d = event.target.data();
    if (event.target.isNode()) {
      const n = state.nodes[d.id] || { [state.lang]: d.label };
      const aliases = (state.lang === "vi" ? n.aliasesVi : n.aliasesEn) || [];
      tip.textContent = n[state.lang] + (aliases.length ? ` (${aliases.join(", ")})` : "");
    } else if (d.kind === "path") {
      tip.textContent = `${nameOf(d.source)} → ${nameOf(d.target)}: ${d.label}`;
    } else if (d.kind === "flows") {
      tip.textContent = `${nameOf(d.source)} → ${nameOf(d.target)}: ${d.count} ${t("items")}`;
    } else {
      tip.textContent = `${nameOf(d.source)} — ${nameOf(d.target)}`;
    }
    const p = event.renderedPosition || event.target.renderedMidpoint();
    tip.style.left = `${p.x + 12}px`;
    tip.style.top = `${p.y + 12}px`;
    tip.hidden = false;
  });
  cy.on("mouseout", "node, edge", () => { tip.hidden = true; });
}

export function relabel() {
  if (!state.cy) return;
  state.cy.nodes().forEach((n) => n.data("label", nameOf(n.id())));
}
