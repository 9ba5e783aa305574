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
    RETURN {`title`: c1.title_en, `summary`: c1.summary_en, `activities`: COLLECT {
        MATCH (c1)-[c2_e:COOPERATES_ON]->(c2:Activity)
        WITH c2, [c2.position, c2.key] AS c2_k
        ORDER BY c2_k
        RETURN {`text`: c2.text_en} AS item
        LIMIT 5001 }, `flows`: COLLECT {
        MATCH (c1)-[c3_e:INCLUDES]->(c3:Flow)
        WITH c3, [c3.position, c3.key] AS c3_k
        ORDER BY c3_k
        RETURN {`kind`: c3.kind, `text`: c3.text_en, `purpose`: c3.purpose_en, `provider`: HEAD(COLLECT {
            MATCH (c3)<-[c4_e:PROVIDES]-(c4:Department)
            RETURN {`key`: c4.key, `name`: c4.name_en} AS item
            LIMIT 1 }), `receiver`: HEAD(COLLECT {
            MATCH (c3)-[c5_e:TO]->(c5:Department)
            RETURN {`key`: c5.key, `name`: c5.name_en} AS item
            LIMIT 1 })} AS item
        LIMIT 5001 }, `examples`: COLLECT {
        MATCH (c1)-[c6_e:HAS_EXAMPLE]->(c6:Scenario)
        WITH c6, [c6.position, c6.key] AS c6_k
        ORDER BY c6_k
        RETURN {`title`: c6.title_en, `text`: c6.text_en, `steps`: COLLECT {
            MATCH (c6)-[c7_e:HAS_STEP]->(c7:Step)
            WITH c7, [c7.position, c7.key] AS c7_k
            ORDER BY c7_k
            RETURN {`position`: c7.position + 1, `actor`: HEAD(COLLECT {
                MATCH (c7)-[c8_e:ACTOR]->(c8)
                RETURN {`key`: c8.key, `name`: c8.name_en} AS item
                LIMIT 1 }), `action`: c7.action_en, `recipient`: HEAD(COLLECT {
                MATCH (c7)-[c9_e:RECIPIENT]->(c9)
                RETURN {`key`: c9.key, `name`: c9.name_en} AS item
                LIMIT 1 }), `purpose`: c7.purpose_en} AS item
            LIMIT 5001 }} AS item
        LIMIT 5001 }} AS item
    LIMIT 1 }) AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0, n1: size(n1) > 0} AS found
# parameters
{
  "n0": "\"sales\" OR \"sale\"",
  "n1": "\"cskh\""
}
