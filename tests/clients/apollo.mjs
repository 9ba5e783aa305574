// Apollo Client in Node, as an internal tool uses it against deptgraph:
//   node tests/clients/apollo.mjs http://127.0.0.1:8000 dgt_…(an editor's token)
// A named query with variables; an automatic persisted query over GET (a miss, then a hit); a
// mutation with the token; the change feed over graphql-ws, which passes on the mutation's change.
// Prints what it got as one JSON object.
import { createHash } from "node:crypto";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [base, token] = process.argv.slice(2);
const seen = [];
const watching = (input, init) => fetch(input, init).then(async (response) => {
  const body = await response.clone().json();
  const missed = (body.errors || []).some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND");
  seen.push({ method: init?.method || "GET", missed });
  return response;
});

const http = new HttpLink({ uri: `${base}/graphql`, fetch: watching, headers: { authorization: `Bearer ${token}` } });
const persisted = new PersistedQueryLink({
  sha256: (text) => createHash("sha256").update(text).digest("hex"),
  useGETForHashedQueries: true,
});
const feed = createClient({
  url: `${base.replace("http", "ws")}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
});
const link = ApolloLink.split(
  ({ query }) => query.definitions.some((d) => d.kind === "OperationDefinition" && d.operation === "subscription"),
  new GraphQLWsLink(feed),
  http,
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });
const plain = new ApolloClient({ link: persisted.concat(http), cache: new InMemoryCache(), defaultOptions: {
  query: { fetchPolicy: "network-only" } } });

const result = {};
const needs = await client.query({
  query: gql`query WhatSalesNeedsFromAccounting($of: String!, $from: String) { needs(of: $of, from: $from) { key provider { key } } }`,
  variables: { of: "sales", from: "Kế toán" },
});
result.needs = needs.data.needs.map((f) => f.key);
result.providers = [...new Set(needs.data.needs.map((f) => f.provider.key))];

const PRINCIPLES = gql`query ApolloPrinciples { principles { key title } }`;
seen.length = 0;
await plain.query({ query: PRINCIPLES });
await plain.query({ query: PRINCIPLES });
result.persisted = [seen[0].missed ? "miss" : "hit", seen[seen.length - 1].missed ? "miss" : "hit"];
result.persistedMethods = seen.map((s) => s.method);

const changes = client.subscribe({ query: gql`subscription ApolloChanges { changes { id key operation } }` });
const fed = new Promise((resolve, reject) => {
  const subscription = changes.subscribe({
    next: ({ data }) => { if (data?.changes?.key === "apollo-topic") { subscription.unsubscribe(); resolve(data.changes.key); } },
    error: reject,
  });
});
await new Promise((resolve) => setTimeout(resolve, 1000)); // the subscription starts before the change
const created = await client.mutate({
  mutation: gql`mutation CreateTopic($key: String!) { createTopic(input: {key: $key, name: {vi: $key, en: $key}}) { key version } }`,
  variables: { key: "apollo-topic" },
});
result.created = { key: created.data.createTopic.key, version: created.data.createTopic.version };
result.fed = await Promise.race([fed, new Promise((_, reject) => setTimeout(() => reject(new Error("no change came")), 30000))]);
await feed.dispose();
process.stdout.write(JSON.stringify(result));
process.exit(0);
