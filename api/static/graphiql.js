// GraphiQL for deptgraph, opened with the named questions of queries/ as tabs. A file of its own
// (not inline) so that the page runs under a Content-Security-Policy without inline scripts.
// One tab per onboarding question in queries/; a link may ask for one of them (?tab=Name),
// or bring its own operation (?open=…&variables=…: not ?query=, which GET runs as a request).
const queries = JSON.parse(document.getElementById("deptgraph-queries").textContent);
const params = new URLSearchParams(window.location.search);
const wanted = params.get("tab");
const tabs = queries.map((q) => ({ query: q.text }));
const first = queries.findIndex((q) => q.name === wanted);
if (first > 0) tabs.unshift(tabs.splice(first, 1)[0]);
// Read your writes: after a mutation, the next requests carry its Neo4j bookmark, so that
// whichever process or replica answers, it answers from a state that includes the change.
// A bookmark the server refuses (or cannot reach) is dropped, and the request sent again without it.
let bookmark = sessionStorage.getItem("deptgraph.bookmark") || "";
async function refusesBookmark(response) {
  if (response.status !== 400 && response.status !== 503) return false;
  try {
    const body = await response.clone().json();
    return (body.errors || []).some((e) => e.extensions && e.extensions.header === "Deptgraph-Bookmark");
  } catch (_) {
    return false;
  }
}
async function remembering(url, init) {
  const headers = new Headers((init && init.headers) || {});
  const sent = bookmark && !headers.has("Deptgraph-Bookmark");
  if (sent) headers.set("Deptgraph-Bookmark", bookmark);
  let response = await fetch(url, { ...init, headers });
  if (sent && (await refusesBookmark(response))) {
    bookmark = "";
    sessionStorage.removeItem("deptgraph.bookmark");
    headers.delete("Deptgraph-Bookmark");
    response = await fetch(url, { ...init, headers });
  }
  const given = response.headers.get("Deptgraph-Bookmark");
  if (given) {
    bookmark = given;
    sessionStorage.setItem("deptgraph.bookmark", given);
  }
  return response;
}
const token = sessionStorage.getItem("deptgraph.token");
const props = {
  fetcher: GraphiQL.createFetcher({
    url: "/graphql",
    fetch: remembering,
    // Subscriptions (the change feed) over graphql-transport-ws, signed in as in the explorer.
    subscriptionUrl: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`,
    wsConnectionParams: token ? { authorization: `Bearer ${token}` } : {},
  }),
  defaultTabs: tabs,
  defaultEditorToolsVisibility: true,
};
if (params.get("open")) {
  props.query = params.get("open");
  props.variables = params.get("variables") || undefined;
} else if (tabs.length) {
  props.query = tabs[0].query;
  if (first >= 0 && params.get("variables")) {
    // A link from the explorer: the named question, with its own variables filled in.
    props.variables = JSON.stringify(JSON.parse(params.get("variables")), null, 2);
    tabs[0].variables = props.variables;
  }
}
ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(GraphiQL, props));
