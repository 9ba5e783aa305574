# topic
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Topic
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n0 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN {`examples`: COLLECT {
      MATCH (c0)<-[:ABOUT]-(c1_0:Step)<-[c1_e:HAS_STEP]-(c1:Scenario)
      WITH DISTINCT c1
      WITH c1, [c1.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`steps`: COLLECT {
          MATCH (c1)-[c2_e:HAS_STEP]->(c2:Step)
          WITH c2, [c2.position, c2.key] AS c2_k
          ORDER BY c2_k
          RETURN {`source`: HEAD(COLLECT {
              UNWIND [c2] AS c3
              RETURN {`quote`: c3.source_quote} AS item
              LIMIT 1 })} AS item
          LIMIT 5001 }} AS item
      LIMIT 5001 }} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"complaints\" OR \"complaint\""
}
