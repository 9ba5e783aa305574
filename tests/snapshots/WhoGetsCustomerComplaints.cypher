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
  RETURN {`role`: ['HANDLES', 'INFORMED', 'COOPERATES'][c1.rank - 1], `how`: {rank: c1.rank, department: c1.department.key, evidence: [c1_x IN c1.evidence | c1_x {.*, label: labels(c1_x)[0], actor: HEAD(COLLECT {
          MATCH (c1_x)-[:ACTOR]->(c1_y)
          RETURN c1_y {.key, .name_vi, .name_en} }), provider: HEAD(COLLECT {
          MATCH (c1_x)<-[:PROVIDES]-(c1_y)
          RETURN c1_y {.key, .name_vi, .name_en} }), partners: COLLECT {
          MATCH (c1_x)<-[:COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(c1_y)
          RETURN c1_y {.key, .name_vi, .name_en}
          ORDER BY c1_y.position } }]}, `department`: HEAD(COLLECT {
      UNWIND [c1.department] AS c2
      RETURN {`key`: c2.key, `name`: c2.name_en} AS item
      LIMIT 1 })} AS item
  LIMIT 5001 } AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"khieu nai\""
}

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
  RETURN {`name`: c0.name_en, `examples`: COLLECT {
      MATCH (c0)<-[:ABOUT]-(c1_0:Step)<-[c1_e:HAS_STEP]-(c1:Scenario)
      WITH DISTINCT c1
      WITH c1, [c1.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`title`: c1.title_en, `steps`: COLLECT {
          MATCH (c1)-[c2_e:HAS_STEP]->(c2:Step)
          WITH c2, [c2.position, c2.key] AS c2_k
          ORDER BY c2_k
          RETURN {`position`: c2.position + 1, `text`: coalesce(HEAD(COLLECT {
              MATCH (c2)-[:ACTOR]->(c2_a)
              RETURN c2_a.name_en }) + ' ', '') + c2.action_en + CASE WHEN c2.purpose_en IS NULL THEN '' ELSE ' to ' + c2.purpose_en END + '.', `actor`: HEAD(COLLECT {
              MATCH (c2)-[c3_e:ACTOR]->(c3)
              RETURN {`key`: c3.key, `name`: c3.name_en} AS item
              LIMIT 1 }), `recipient`: HEAD(COLLECT {
              MATCH (c2)-[c4_e:RECIPIENT]->(c4)
              RETURN {`key`: c4.key, `name`: c4.name_en} AS item
              LIMIT 1 }), `source`: HEAD(COLLECT {
              UNWIND [c2] AS c5
              RETURN {`quote`: c5.source_quote} AS item
              LIMIT 1 })} AS item
          LIMIT 5001 }} AS item
      LIMIT 5001 }} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"khieu nai\""
}
