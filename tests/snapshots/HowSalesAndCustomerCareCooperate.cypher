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
    RETURN {`title`: c1.title_en, `summary`: c1.summary_en, `source`: HEAD(COLLECT {
        UNWIND [c1] AS c2
        RETURN {`document`: HEAD(COLLECT {
            MATCH (c3:Source {key: c2.source_document})
            RETURN {`title`: c3.title_en} AS item
            LIMIT 1 }), `section`: c2.source_section, `quote`: c2.source_quote} AS item
        LIMIT 1 }), `owner`: HEAD(COLLECT {
        UNWIND [c1] AS c4
        WITH c4
        WHERE EXISTS { (c4)-[:OWNED_BY]->() }
        RETURN {`department`: HEAD(COLLECT {
            MATCH (c4)-[c5_e:OWNED_BY]->(c5:Department)
            RETURN {`key`: c5.key, `name`: c5.name_en} AS item
            LIMIT 1 }), `contact`: c4.owner_contact} AS item
        LIMIT 1 }), `verifiedAt`: c1.verified_at, `verifiedBy`: c1.verified_by, `activities`: COLLECT {
        MATCH (c1)-[c6_e:COOPERATES_ON]->(c6:Activity)
        WITH c6, [c6.position, c6.key] AS c6_k
        ORDER BY c6_k
        RETURN {`text`: c6.text_en} AS item
        LIMIT 5001 }, `flows`: COLLECT {
        MATCH (c1)-[c7_e:INCLUDES]->(c7:Flow)
        WITH c7, [c7.position, c7.key] AS c7_k
        ORDER BY c7_k
        RETURN {`kind`: c7.kind, `text`: c7.text_en, `purpose`: c7.purpose_en, `provider`: HEAD(COLLECT {
            MATCH (c7)<-[c8_e:PROVIDES]-(c8:Department)
            RETURN {`key`: c8.key, `name`: c8.name_en} AS item
            LIMIT 1 }), `receiver`: HEAD(COLLECT {
            MATCH (c7)-[c9_e:TO]->(c9:Department)
            RETURN {`key`: c9.key, `name`: c9.name_en} AS item
            LIMIT 1 }), `source`: HEAD(COLLECT {
            UNWIND [c7] AS c10
            RETURN {`quote`: c10.source_quote} AS item
            LIMIT 1 })} AS item
        LIMIT 5001 }, `examples`: COLLECT {
        MATCH (c1)-[c11_e:HAS_EXAMPLE]->(c11:Scenario)
        WITH c11, [c11.position, c11.key] AS c11_k
        ORDER BY c11_k
        RETURN {`title`: c11.title_en, `text`: c11.text_en, `steps`: COLLECT {
            MATCH (c11)-[c12_e:HAS_STEP]->(c12:Step)
            WITH c12, [c12.position, c12.key] AS c12_k
            ORDER BY c12_k
            RETURN {`position`: c12.position + 1, `actor`: HEAD(COLLECT {
                MATCH (c12)-[c13_e:ACTOR]->(c13)
                RETURN {`key`: c13.key, `name`: c13.name_en} AS item
                LIMIT 1 }), `action`: c12.action_en, `recipient`: HEAD(COLLECT {
                MATCH (c12)-[c14_e:RECIPIENT]->(c14)
                RETURN {`key`: c14.key, `name`: c14.name_en} AS item
                LIMIT 1 }), `purpose`: c12.purpose_en, `source`: HEAD(COLLECT {
                UNWIND [c12] AS c15
                RETURN {`quote`: c15.source_quote} AS item
                LIMIT 1 })} AS item
            LIMIT 5001 }} AS item
        LIMIT 5001 }} AS item
    LIMIT 1 }) AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0, n1: size(n1) > 0} AS found
# parameters
{
  "n0": "\"sales\" OR \"sale\"",
  "n1": "\"cskh\""
}
