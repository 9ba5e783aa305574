# topic
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Topic
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
  RETURN {`name`: c0.name_en, `flows`: COLLECT {
      MATCH (c0)<-[c1_e:ABOUT]-(c1:Flow)
      WHERE EXISTS {
        MATCH (c1)-[:TO]->(c1_f2)
        WHERE c1_f2 IN n1 AND c1_f2 <> c0 }
      WITH c1, [HEAD(COLLECT {
        MATCH (c1)<-[:INCLUDES]-(c1_h)
        RETURN c1_h.position }), c1.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`text`: c1.text_en, `purpose`: c1.purpose_en, `statement`: c1.statement_en, `provider`: HEAD(COLLECT {
          MATCH (c1)<-[c2_e:PROVIDES]-(c2:Department)
          RETURN {`key`: c2.key, `name`: c2.name_en} AS item
          LIMIT 1 }), `source`: HEAD(COLLECT {
          UNWIND [c1] AS c3
          RETURN {`document`: HEAD(COLLECT {
              MATCH (c4:Source {key: c3.source_document})
              RETURN {`title`: c4.title_en} AS item
              LIMIT 1 }), `section`: c3.source_section, `quote`: c3.source_quote} AS item
          LIMIT 1 })} AS item
      LIMIT 5001 }} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0, n1: size(n1) > 0} AS found
# parameters
{
  "n0": "\"doanh thu\"",
  "n1": "\"accounting\" OR \"account\""
}
