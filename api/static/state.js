// The explorer's state: what it knows and shows (the language, the drawing's nodes and edges, the
// views of a large organisation, what is overdue for review), shared by every module of the page.

export const state = {
  lang: localStorage.getItem("deptgraph.lang") || ((navigator.language || "").toLowerCase().startsWith("en") ? "en" : "vi"),
  nodes: {},   // key → {key, vi, en, aliasesVi, aliasesEn, kind}
  edges: [],   // {id, from, to, count, kind}
  cy: null,
  // Above THRESHOLD departments the explorer draws one department at a time ("focus"): a trail of
  // views, each a centre and the departments expanded around it, read per department (hoods).
  mode: "whole", total: 0, start: null, hoods: {}, names: {}, trail: [], parties: [],
  view: "graph", pathElements: [], pathFrom: null, allNames: null,
  stale: new Map(), // relationship key → its two department keys, for what is overdue for review
};
export const THRESHOLD = 30;
export const nameOf = (key) => (state.nodes[key] ? state.nodes[key][state.lang] : state.names[key] ? state.names[key][state.lang] : key);
export const current = () => state.trail[state.trail.length - 1];
// Whether the relationship between two departments is overdue for review.
export const staleBetween = (a, b) => [...state.stale.values()].some(([x, y]) => (x === a && y === b) || (x === b && y === a));
