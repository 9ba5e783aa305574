// Talking to the API: every request is a GraphQL POST to /graphql that carries the last bookmark,
// so that what was just written is read back (the editor's requests too).

// Read your writes: after an edit, requests carry its bookmark, so that answers come from a state
// that includes it, on any replica. A bookmark the server refuses (or cannot reach) is dropped
// and the request sent again without it.
export async function withBookmark(headers, send) {
  const bookmark = sessionStorage.getItem("deptgraph.bookmark");
  if (bookmark) headers["deptgraph-bookmark"] = bookmark;
  let response = await send();
  if (bookmark && (await refusesBookmark(response))) {
    sessionStorage.removeItem("deptgraph.bookmark");
    delete headers["deptgraph-bookmark"];
    response = await send();
  }
  const given = response.headers.get("deptgraph-bookmark");
  if (given) sessionStorage.setItem("deptgraph.bookmark", given);
  return response;
}
async function refusesBookmark(response) {
  if (response.status !== 400 && response.status !== 503) return false;
  try {
    const body = await response.clone().json();
    return (body.errors || []).some((e) => e.extensions && e.extensions.header === "Deptgraph-Bookmark");
  } catch (_) {
    return false;
  }
}

export async function gql(query, variables, extraHeaders) {
  const headers = { "content-type": "application/json", accept: "application/json", ...(extraHeaders || {}) };
  const response = await withBookmark(headers, () =>
    fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables: variables || {} }) }));
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}
