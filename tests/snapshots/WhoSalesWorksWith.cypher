# department
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Department
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n0 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN {`key`: c0.key, `name`: c0.name_en, `relationships`: COLLECT {
      MATCH (c0)<-[c1_e:BETWEEN]-(c1:Relationship)
      WITH c1, [c1.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`key`: c1.key, `departments`: COLLECT {
          MATCH (c1)-[c2_e:BETWEEN]->(c2:Department)
          WITH c2, [c2_e.position, c2.key] AS c2_k
          ORDER BY c2_k
          RETURN {`key`: c2.key, `name`: c2.name_en} AS item
          LIMIT 5001 }, `flows`: COLLECT {
          MATCH (c1)-[c3_e:INCLUDES]->(c3:Flow)
          WITH c3, [c3.position, c3.key] AS c3_k
          ORDER BY c3_k
          RETURN {`kind`: c3.kind, `text`: c3.text_en, `provider`: HEAD(COLLECT {
              MATCH (c3)<-[c4_e:PROVIDES]-(c4:Department)
              RETURN {`key`: c4.key} AS item
              LIMIT 1 }), `receiver`: HEAD(COLLECT {
              MATCH (c3)-[c5_e:TO]->(c5:Department)
              RETURN {`key`: c5.key} AS item
              LIMIT 1 })} AS item
          LIMIT 5001 }} AS item
      LIMIT 5001 }} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"sales\" OR \"sale\""
}
