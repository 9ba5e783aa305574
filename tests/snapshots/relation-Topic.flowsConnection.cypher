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
  RETURN {`flowsConnection`: {`totalCount`: COUNT {
        MATCH (c0)<-[c1_e:ABOUT]-(c1:Flow)
        RETURN c1 }, `_page`: COLLECT {
        MATCH (c0)<-[c1_e:ABOUT]-(c1:Flow)
        WITH *, [HEAD(COLLECT {
          MATCH (c1)<-[:INCLUDES]-(c1_h)
          RETURN c1_h.position }), c1.position, c1.key] AS c1_k
        WHERE $p1 IS NULL OR c1_k > $p1
        ORDER BY c1_k
        LIMIT $p0 + 1
        RETURN {`_cursor`: c1_k, `e2_1`: {`key`: c1.key}} AS item }}} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"complaints\" OR \"complaint\"",
  "p0": 100,
  "p1": null
}
