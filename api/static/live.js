// Live: what editors change appears without a reload. Signed in as an editor or admin (the token
// kept in sessionStorage, as GraphiQL keeps it), the page follows the change feed
// (graphql-transport-ws on /graphql) and, after each burst of changes, reads the graph again and
// updates only what changed: names, arrows and their counts, departments added or removed; the
// open panel is read again. Reconnects from the last change.
import { elements, focusGraph, layoutOptions, loadGraph, loadStale, neighbourhood } from "./layout.js";
import { renderLists } from "./panels.js";
import { route } from "./router.js";
import { current, state } from "./state.js";

export async function refresh() {
  if (state.mode === "focus") {
    // Read again what is drawn; the views behind it are read again when Back reaches them.
    const keys = current() ? [current().center, ...current().expanded] : [];
    state.hoods = {};
    await Promise.all(keys.map(neighbourhood));
    focusGraph();
  } else {
    await loadGraph();
  }
  await loadStale().catch(() => {}); // (a verification, or an edit, may change what is due)
  if (state.view === "paths") { // the path view is read again by route()
    await route();
    document.body.dataset.changes = String(Number(document.body.dataset.changes || 0) + 1);
    return;
  }
  const cy = state.cy;
  const wanted = new Map(elements().map((el) => [el.data.id, el]));
  let added = false;
  cy.batch(() => {
    cy.elements().forEach((el) => {
      const now = wanted.get(el.id());
      if (!now || (el.isEdge() && (el.data("source") !== now.data.source || el.data("target") !== now.data.target))) {
        cy.remove(el);
        return;
      }
      for (const [name, value] of Object.entries(now.data)) if (el.data(name) !== value) el.data(name, value);
      wanted.delete(el.id());
    });
    const fresh = [...wanted.values()];
    fresh.sort((a, b) => Number("source" in a.data) - Number("source" in b.data)); // nodes before their edges
    if (fresh.length) { cy.add(fresh); added = fresh.some((el) => !("source" in el.data)); }
  });
  if (added) cy.layout(layoutOptions()).run();
  renderLists();
  await route();
  document.body.dataset.changes = String(Number(document.body.dataset.changes || 0) + 1);
}

export function follow() {
  const token = sessionStorage.getItem("deptgraph.token");
  if (!token || !window.WebSocket) return;
  let last = null;
  let pending = null;
  let wait = 1000;
  const connect = () => {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`, "graphql-transport-ws");
    socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        wait = 1000;
        socket.send(JSON.stringify({ id: "changes", type: "subscribe", payload: {
          query: "subscription ExplorerChanges($after: String) { changes(after: $after) { id label key } }",
          variables: { after: last } } }));
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "next" && message.payload.data) {
        last = message.payload.data.changes.id;
        clearTimeout(pending);
        pending = setTimeout(() => refresh().catch(() => {}), 250); // one refresh per burst
      } else if (message.type === "next" || message.type === "error") {
        socket.onclose = null; // refused (a viewer's or a revoked token): the page stays as it is
        socket.close();
      }
    };
    socket.onclose = (event) => {
      if (event.code === 4401 || event.code === 4403) return; // the server refused this token: no retrying
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    };
  };
  connect();
}
