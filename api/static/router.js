// Routing: the URL's hash says what the panel shows (#/department/accounting,
// #/relationship/sales/accounting, #/flows/a/b, #/paths/a/b, #/ask/…, #/party/x); `route` shows it.
import { t } from "./i18n.js";
import { ensureDrawn, redraw } from "./layout.js";
import {
  esc, panelBody, select, showAnswer, showDepartment, showFlows, showParty, showPaths, showRelationship, showWelcome,
} from "./panels.js";
import { state } from "./state.js";

// One route at a time, each showing the hash as it is when its turn comes: a route still reading
// (a refresh after the change feed's news) could otherwise finish after a newer one and put back
// the panel the reader had left, under the new hash.
let routing = Promise.resolve();

export function route() {
  const turn = routing.then(show);
  routing = turn.catch(() => {});
  return turn;
}

async function show() {
  const [, kindOf, ...keys] = decodeURIComponent(location.hash.replace(/^#/, "")).split("/");
  try {
    const wasPaths = state.view === "paths";
    if (kindOf === "paths") {
      state.view = (await showPaths(keys[0], keys[1], keys.slice(2).join("/"))) ? "paths" : "graph";
      if (state.view === "paths" || wasPaths) redraw();
      if (state.view === "graph" && state.mode === "focus") await ensureDrawn([]);
      if (state.view === "paths") select(null, []);
      document.getElementById("panel").dataset.view = "paths";
      return;
    }
    state.view = "graph";
    if (wasPaths) redraw();
    if (state.mode === "focus") {
      const wanted = ["department", "flows", "relationship"].includes(kindOf) ? keys.filter(Boolean).slice(0, 2) : [];
      await ensureDrawn(wanted);
    }
    if (kindOf === "ask" && keys.length) await showAnswer(keys.join("/"));
    else if (kindOf === "department" && keys[0]) await showDepartment(keys[0]);
    else if (kindOf === "relationship" && keys[1]) await showRelationship(keys[0], keys[1]);
    else if (kindOf === "flows" && keys[1]) await showFlows(keys[0], keys[1]);
    else if (kindOf === "party" && keys[0]) showParty(keys[0]);
    else showWelcome();
    document.getElementById("panel").dataset.view = kindOf || "welcome";
    document.getElementById("back").hidden = !(state.mode === "focus" && state.trail.length > 1);
    document.dispatchEvent(new CustomEvent("deptgraph:panel", { detail: { view: kindOf || "welcome", keys } })); // editor.js
  } catch (error) {
    panelBody().innerHTML = `<h2 id="panel-heading">${esc(t("error"))}</h2><p class="error">${esc(error.message)}</p>`;
  }
}
