# search
RETURN COLLECT {
  CALL () {
    WITH 1 AS c0_go
    WHERE $p0 IS NOT NULL
    CALL db.index.fulltext.queryNodes('knowledge_search', $p0, {limit: $p2}) YIELD node, score
    RETURN collect([node, score]) AS c0_strict }
  CALL (c0_strict) {
    WITH 1 AS c0_go
    WHERE size(c0_strict) = 0 AND $p1 IS NOT NULL
    CALL db.index.fulltext.queryNodes('knowledge_search', $p1, {limit: $p2}) YIELD node, score
    RETURN collect([node, score]) AS c0_loose }
  WITH COLLECT {
    UNWIND c0_strict + c0_loose AS c0_h
    RETURN c0_h
    ORDER BY c0_h[1] DESC, labels(c0_h[0])[0], c0_h[0].key } AS c0_hits
  UNWIND range(0, size(c0_hits) - 1) AS c0_i
  WITH c0_hits[c0_i][0] AS c0, c0_hits[c0_i][1] AS c0_score, c0_i
  ORDER BY c0_i
  RETURN {`departments`: COLLECT {
      UNWIND [COLLECT {
        CALL (c0) {
          WITH c0
          WHERE c0:Department
          RETURN c0 AS c1_d, 0 AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Flow)<-[:PROVIDES]-(c1_d:Department)
          RETURN c1_d, 0 AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Flow)-[:TO]->(c1_d:Department)
          RETURN c1_d, 1 AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Duty)<-[:HAS_DUTY]-(:Role)-[:OF]->(c1_d:Department)
          RETURN c1_d, 0 AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Step)-[c1_r:ACTOR|RECIPIENT]->(c1_d:Department)
          RETURN c1_d, CASE type(c1_r) WHEN 'ACTOR' THEN 0 ELSE 1 END AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Statement)-[c1_m:MENTIONS]->(c1_d:Department)
          RETURN c1_d, c1_m.position AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Relationship)-[c1_b:BETWEEN]->(c1_d:Department)
          RETURN c1_d, c1_b.position AS c1_o, 0 AS c1_i
          UNION
          MATCH (c0:Goal|Activity|Scenario)<--(:Relationship)-[c1_b:BETWEEN]->(c1_d:Department)
          RETURN c1_d, c1_b.position AS c1_o, 0 AS c1_i
          UNION
          WITH c0
          WHERE c0:Topic
          UNWIND COLLECT {
            UNWIND [c0] AS c1_t_t
            MATCH (c1_t_t)<-[:ABOUT]-(:Step)-[:RECIPIENT]->(c1_t_x:Department)
            RETURN c1_t_x
            UNION
            UNWIND [c0] AS c1_t_t
            MATCH (c1_t_t)<-[:ABOUT]-(:Flow)-[:TO]->(c1_t_x:Department)
            RETURN c1_t_x
            UNION
            UNWIND [c0] AS c1_t_t
            MATCH (c1_t_t)<-[:ABOUT]-(:Activity)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(c1_t_x:Department)
            RETURN c1_t_x } AS c1_t_d
          WITH c1_t_d, COLLECT {
            UNWIND [c0] AS c1_t_t
            MATCH (c1_t_t)<-[:ABOUT]-(c1_t_s:Step)-[:RECIPIENT]->(c1_t_d)
            RETURN DISTINCT c1_t_s
            ORDER BY c1_t_s.position } AS c1_t_steps, COLLECT {
            UNWIND [c0] AS c1_t_t
            MATCH (c1_t_t)<-[:ABOUT]-(c1_t_f:Flow)-[:TO]->(c1_t_d)
            RETURN DISTINCT c1_t_f
            ORDER BY c1_t_f.position } AS c1_t_flows, COLLECT {
            UNWIND [c0] AS c1_t_t
            MATCH (c1_t_t)<-[:ABOUT]-(c1_t_v:Activity)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(c1_t_d)
            RETURN DISTINCT c1_t_v
            ORDER BY c1_t_v.position } AS c1_t_activities
          WITH {department: c1_t_d, rank: CASE WHEN any(c1_t_s IN c1_t_steps
            WHERE c1_t_s.purpose_vi IS NOT NULL) THEN 1 WHEN size(c1_t_steps) + size(c1_t_flows) > 0 THEN 2 ELSE 3 END, evidence: c1_t_steps + c1_t_flows + c1_t_activities} AS c1_t
          RETURN c1_t.department AS c1_d, c1_t.rank AS c1_o, c1_t.department.position AS c1_i }
        RETURN c1_d
        ORDER BY c1_o, c1_i }] AS c1_l
      UNWIND range(0, size(c1_l) - 1) AS c1_n
      WITH c1_l[c1_n] AS c1, c1_n, c1_l
      WHERE NOT c1_l[c1_n] IN c1_l[0..c1_n]
      WITH c1
      ORDER BY c1_n
      RETURN {`key`: c1.key} AS item
      LIMIT 5001 }} AS item
  LIMIT $p2 } AS result, {} AS found
# parameters
{
  "p0": "name_vi:(+ke +toan)^8 name_vi:\"ke toan\"^16 name_en:(+ke +toan)^8 name_en:\"ke toan\"^16 aliases_vi:(+ke +toan)^8 aliases_vi:\"ke toan\"^16 aliases_en:(+ke +toan)^8 aliases_en:\"ke toan\"^16 title_vi:(+ke +toan)^3 title_vi:\"ke toan\"^6 title_en:(+ke +toan)^3 title_en:\"ke toan\"^6 text_vi:(+ke +toan)^1 text_vi:\"ke toan\"^2 text_en:(+ke +toan)^1 text_en:\"ke toan\"^2 summary_vi:(+ke +toan)^1 summary_vi:\"ke toan\"^2 summary_en:(+ke +toan)^1 summary_en:\"ke toan\"^2 purpose_vi:(+ke +toan)^1 purpose_vi:\"ke toan\"^2 purpose_en:(+ke +toan)^1 purpose_en:\"ke toan\"^2 statement_vi:(+ke +toan)^1 statement_vi:\"ke toan\"^2 statement_en:(+ke +toan)^1 statement_en:\"ke toan\"^2 action_vi:(+ke +toan)^1 action_vi:\"ke toan\"^2 action_en:(+ke +toan)^1 action_en:\"ke toan\"^2",
  "p1": "name_vi:(ke toan)^8 name_vi:\"ke toan\"^16 name_en:(ke toan)^8 name_en:\"ke toan\"^16 aliases_vi:(ke toan)^8 aliases_vi:\"ke toan\"^16 aliases_en:(ke toan)^8 aliases_en:\"ke toan\"^16 title_vi:(ke toan)^3 title_vi:\"ke toan\"^6 title_en:(ke toan)^3 title_en:\"ke toan\"^6 text_vi:(ke toan)^1 text_vi:\"ke toan\"^2 text_en:(ke toan)^1 text_en:\"ke toan\"^2 summary_vi:(ke toan)^1 summary_vi:\"ke toan\"^2 summary_en:(ke toan)^1 summary_en:\"ke toan\"^2 purpose_vi:(ke toan)^1 purpose_vi:\"ke toan\"^2 purpose_en:(ke toan)^1 purpose_en:\"ke toan\"^2 statement_vi:(ke toan)^1 statement_vi:\"ke toan\"^2 statement_en:(ke toan)^1 statement_en:\"ke toan\"^2 action_vi:(ke toan)^1 action_vi:\"ke toan\"^2 action_en:(ke toan)^1 action_en:\"ke toan\"^2",
  "p2": 10
}
