// graphql-ws's own client following deptgraph's change feed, and resuming it with `after:`:
//   node tests/clients/feed.mjs http://127.0.0.1:8000 dgt_…(an editor's token)
// Writes ws-0 and ws-1 while subscribed; disconnects; writes ws-2 … ws-4; subscribes again after the
// last change it got, and receives exactly those three. Prints what it got as one JSON object.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [base, token] = process.argv.slice(2);
const create = (key) => fetch(`${base}/graphql`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: JSON.stringify({ query: "mutation($k: String!) { createTopic(input: {key: $k, name: {vi: $k, en: $k}}) { key } }", variables: { k: key } }),
}).then((r) => r.json());

function follow(after, wanted) {
  const client = createClient({
    url: `${base.replace("http", "ws")}/graphql`, webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const got = [];
  const done = new Promise((resolve, reject) => {
    client.subscribe({ query: "subscription($after: String) { changes(after: $after) { id key } }", variables: { after } }, {
      next: ({ data, errors }) => {
        if (errors) reject(new Error(JSON.stringify(errors)));
        got.push(data.changes);
        if (got.length === wanted) resolve(got);
      },
      error: reject,
      complete: () => resolve(got),
    });
  });
  return { client, done };
}

const first = follow(null, 2);
await new Promise((resolve) => setTimeout(resolve, 1000)); // subscribed before the changes
await create("ws-0");
await create("ws-1");
const before = await first.done;
await first.client.dispose();
for (const key of ["ws-2", "ws-3", "ws-4"]) await create(key);
const second = follow(before[before.length - 1].id, 3);
const resumed = await Promise.race([second.done, new Promise((_, reject) => setTimeout(() => reject(new Error("nothing came")), 30000))]);
await second.client.dispose();
process.stdout.write(JSON.stringify({ before: before.map((c) => c.key), resumed: resumed.map((c) => c.key) }));
process.exit(0);
