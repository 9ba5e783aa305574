// deptgraph explorer: draws the departments and the customer party with Cytoscape.js and
// explains them in a side panel. Reads only the public GraphQL API at /graphql.
//
// This module starts the page and wires its controls; the rest is one module per concept: the
// state (state.js), the texts (i18n.js), the API (api.js), the drawing (layout.js), the side
// panel (panels.js), the routes (router.js), search (search.js) and the change feed (live.js).
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { back, drawGraph, expand, focusOn, loadGraph, loadStale, relabel } from "./layout.js";
import { follow, refresh } from "./live.js";
import { esc, loadAllNames, panelBody, pick, renderGroups, renderLists, showError } from "./panels.js";
import { route } from "./router.js";
import { search } from "./search.js";
import { state, THRESHOLD } from "./state.js";

// --- language ------------------------------------------------------------------------------
function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = `deptgraph · ${t("title")}`;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
  relabel();
  renderLists();
}

async function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("deptgraph.lang", lang);
  applyLanguage();
  document.getElementById("results").hidden = true;
  await route();
}

// --- wiring --------------------------------------------------------------------------------
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-hash]");
  if (button && button.dataset.hash) location.hash = button.dataset.hash;
  const expanding = event.target.closest("[data-expand]");
  if (expanding) expand(expanding.dataset.expand).then(route).catch(showError);
  const centring = event.target.closest("[data-focus]");
  if (centring) focusOn(centring.dataset.focus).then(route).catch(showError);
  if (event.target.closest("#back")) back().then(route).catch(showError);
  const lang = event.target.closest("[data-lang]");
  if (lang) setLanguage(lang.dataset.lang);
});
document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = document.getElementById("search-text").value.trim();
  if (text) search(text).catch((error) => {
    const box = document.getElementById("results");
    box.innerHTML = `<p class="error">${esc(error.message)}</p>`;
    box.hidden = false;  // a failed search says why, where its results would be
  });
});
document.addEventListener("submit", (event) => {
  if (event.target.id === "picker") {
    event.preventDefault();
    const text = document.getElementById("picker-text").value.trim();
    if (text) pick(text, true).catch(showError);
  } else if (event.target.id === "paths-form") {
    event.preventDefault();
    const value = (id) => encodeURIComponent(document.getElementById(id).value.trim());
    const about = value("path-about");
    location.hash = `#/paths/${value("path-from")}/${value("path-to")}${about ? `/${about}` : ""}`;
  }
});
let picking = null;
document.addEventListener("input", (event) => {
  if (event.target.id === "picker-text") {
    clearTimeout(picking);
    const text = event.target.value.trim();
    if (text) picking = setTimeout(() => pick(text, false).catch(() => {}), 250);
  } else if (event.target.id === "department-filter") {
    renderGroups();
  }
});
document.getElementById("all-departments").addEventListener("toggle", (event) => {
  if (event.target.open) loadAllNames().then(renderGroups).catch(showError);
});
document.getElementById("ask").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = document.getElementById("ask-text").value.trim();
  if (question) location.hash = `#/ask/${encodeURIComponent(question)}`;
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && location.hash) { location.hash = ""; }
});
window.addEventListener("hashchange", async () => {
  await route();
  const heading = document.getElementById("panel-heading");
  if (location.hash && heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
});

// --- starting ------------------------------------------------------------------------------
const SIZE = `query ExplorerSize { departmentsConnection(first: 1) { totalCount nodes { key } }
  parties { key vi: name(lang: VI) en: name(lang: EN) aliasesVi: aliases(lang: VI) aliasesEn: aliases(lang: EN)
    departments { key } } }`;

async function start() {
  applyLanguage();
  try {
    // The first screen reads only what it shows: how large the organisation is, then either the
    // whole drawing (a small one) or one department's neighbourhood.
    const size = await gql(SIZE);
    state.total = size.departmentsConnection.totalCount;
    state.parties = size.parties;
    if (state.total > THRESHOLD) {
      state.mode = "focus";
      state.start = size.departmentsConnection.nodes.length ? size.departmentsConnection.nodes[0].key : null;
      document.body.dataset.mode = "focus";
      document.querySelector(".legend").dataset.i18n = "focusLegend";
    } else {
      await loadGraph();
    }
    await loadStale();
  } catch (error) {
    panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("error"))}</h2><p class="error">${esc(error.message)}</p>`;
    return;
  }
  drawGraph();
  applyLanguage();
  await route();
  document.body.dataset.ready = "true";
  follow();
}

// The page's one global, for the browser tests and the console: what it is doing.
window.deptgraph = { state, route, expand, back, gql, t, esc, refresh, follow };
start();
