// The GraphQL-over-HTTP specification's own server audit (graphql-http's serverAudits), run
// against a deptgraph URL: prints one JSON object with every result.
//   node tests/clients/audit.mjs http://127.0.0.1:8000/graphql
import { auditServer } from "graphql-http";

const url = process.argv[2];
const results = await auditServer({ url });
const summary = { ok: 0, warn: 0, error: 0, results: [] };
for (const result of results) {
  summary[result.status] += 1;
  summary.results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason || "" });
}
process.stdout.write(JSON.stringify(summary));
