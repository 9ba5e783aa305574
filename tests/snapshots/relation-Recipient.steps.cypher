# recipients
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Topic
  WITH node
  ORDER BY node.position, node.key
  LIMIT 10
  RETURN collect(node) AS n0 }
RETURN COLLECT {
  UNWIND COLLECT {
    UNWIND n0 AS c1_t
    MATCH (c1_t)<-[:ABOUT]-(:Step)-[:RECIPIENT]->(c1_x:Department)
    RETURN c1_x
    UNION
    UNWIND n0 AS c1_t
    MATCH (c1_t)<-[:ABOUT]-(:Flow)-[:TO]->(c1_x:Department)
    RETURN c1_x
    UNION
    UNWIND n0 AS c1_t
    MATCH (c1_t)<-[:ABOUT]-(:Activity)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(c1_x:Department)
    RETURN c1_x } AS c1_d
  WITH c1_d, COLLECT {
    UNWIND n0 AS c1_t
    MATCH (c1_t)<-[:ABOUT]-(c1_s:Step)-[:RECIPIENT]->(c1_d)
    RETURN DISTINCT c1_s
    ORDER BY c1_s.position } AS c1_steps, COLLECT {
    UNWIND n0 AS c1_t
    MATCH (c1_t)<-[:ABOUT]-(c1_f:Flow)-[:TO]->(c1_d)
    RETURN DISTINCT c1_f
    ORDER BY c1_f.position } AS c1_flows, COLLECT {
    UNWIND n0 AS c1_t
    MATCH (c1_t)<-[:ABOUT]-(c1_v:Activity)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(c1_d)
    RETURN DISTINCT c1_v
    ORDER BY c1_v.position } AS c1_activities
  WITH {department: c1_d, rank: CASE WHEN any(c1_s IN c1_steps
    WHERE c1_s.purpose_vi IS NOT NULL) THEN 1 WHEN size(c1_steps) + size(c1_flows) > 0 THEN 2 ELSE 3 END, evidence: c1_steps + c1_flows + c1_activities} AS c1
  WITH c1
  ORDER BY c1.rank, c1.department.position
  RETURN {`steps`: COLLECT {
      UNWIND c1.evidence AS c2
      WITH c2
      WHERE c2:Step
      RETURN {`key`: c2.key} AS item
      LIMIT 5001 }} AS item
  LIMIT 5001 } AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"complaints\" OR \"complaint\""
}
