# needs
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Department
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n0 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN COLLECT {
    MATCH (c0)<-[c1_e:TO]-(c1:Flow)
    WITH c1, [HEAD(COLLECT {
      MATCH (c1)<-[:INCLUDES]-(c1_h)
      RETURN c1_h.position }), c1.position, c1.key] AS c1_k
    ORDER BY c1_k
    RETURN {`source`: HEAD(COLLECT {
        UNWIND [c1] AS c2
        RETURN {`quote`: c2.source_quote} AS item
        LIMIT 1 })} AS item
    LIMIT 5001 } AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"sales\" OR \"sale\""
}
