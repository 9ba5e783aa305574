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
    RETURN {`title`: c1.title_en, `roles`: COLLECT {
        MATCH (c1)-[c2_e:HAS_ROLE]->(c2:Role)
        WITH c2, [c2.position, c2.key] AS c2_k
        ORDER BY c2_k
        RETURN {`department`: HEAD(COLLECT {
            MATCH (c2)-[c3_e:OF]->(c3:Department)
            RETURN {`key`: c3.key, `name`: c3.name_en} AS item
            LIMIT 1 }), `duties`: COLLECT {
            MATCH (c2)-[:HAS_DUTY]->(c2_d)
            RETURN c2_d.text_en
            ORDER BY c2_d.position }, `items`: COLLECT {
            MATCH (c2)-[c4_e:HAS_DUTY]->(c4:Duty)
            WITH c4, [c4.position, c4.key] AS c4_k
            ORDER BY c4_k
            RETURN {`key`: c4.key, `source`: HEAD(COLLECT {
                UNWIND [c4] AS c5
                RETURN {`section`: c5.source_section, `quote`: c5.source_quote} AS item
                LIMIT 1 })} AS item
            LIMIT 5001 }} AS item
        LIMIT 5001 }} AS item
    LIMIT 1 }) AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0, n1: size(n1) > 0} AS found
# parameters
{
  "n0": "\"kinh doanh\" OR \"doanh kinh\"",
  "n1": "\"accounting\" OR \"account\""
}
