# relationship
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Department
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n0 }
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n1) YIELD node
  WHERE node:Department
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n1 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN HEAD(COLLECT {
    MATCH (c0)<-[c1_e:BETWEEN]-(c1:Relationship)
    WHERE EXISTS {
      MATCH (c1)-[:BETWEEN]->(c1_f2)
      WHERE c1_f2 IN n1 AND c1_f2 <> c0 }
    RETURN {`owner`: HEAD(COLLECT {
        UNWIND [c1] AS c2
        WITH c2
        WHERE EXISTS { (c2)-[:OWNED_BY]->() }
        RETURN {`department`: HEAD(COLLECT {
            MATCH (c2)-[c3_e:OWNED_BY]->(c3:Department)
            RETURN {`key`: c3.key} AS item
            LIMIT 1 })} AS item
        LIMIT 1 })} AS item
    LIMIT 1 }) AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0, n1: size(n1) > 0} AS found
# parameters
{
  "n0": "\"sales\" OR \"sale\"",
  "n1": "\"accounting\" OR \"account\""
}
