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
const props = {
  fetcher: GraphiQL.createFetcher({ url: "/graphql" }),
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
