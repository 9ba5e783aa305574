# pricing
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Topic
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n0 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN {`name`: c0.name_en, `flows`: COLLECT {
      MATCH (c0)<-[c1_e:ABOUT]-(c1:Flow)
      WITH c1, [HEAD(COLLECT {
        MATCH (c1)<-[:INCLUDES]-(c1_h)
        RETURN c1_h.position }), c1.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`text`: c1.text_en, `provider`: HEAD(COLLECT {
          MATCH (c1)<-[c2_e:PROVIDES]-(c2:Department)
          RETURN {`key`: c2.key, `name`: c2.name_en} AS item
          LIMIT 1 }), `receiver`: HEAD(COLLECT {
          MATCH (c1)-[c3_e:TO]->(c3:Department)
          RETURN {`key`: c3.key, `name`: c3.name_en} AS item
          LIMIT 1 })} AS item
      LIMIT 5001 }} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"chinh sach gia\" OR \"chinh gia sach\""
}

# discounts
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n0) YIELD node
  WHERE node:Topic
  WITH node
  ORDER BY node.position, node.key
  LIMIT 1
  RETURN collect(node) AS n0 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN {`name`: c0.name_en, `flows`: COLLECT {
      MATCH (c0)<-[c1_e:ABOUT]-(c1:Flow)
      WITH c1, [HEAD(COLLECT {
        MATCH (c1)<-[:INCLUDES]-(c1_h)
        RETURN c1_h.position }), c1.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`text`: c1.text_en, `provider`: HEAD(COLLECT {
          MATCH (c1)<-[c2_e:PROVIDES]-(c2:Department)
          RETURN {`key`: c2.key, `name`: c2.name_en} AS item
          LIMIT 1 }), `receiver`: HEAD(COLLECT {
          MATCH (c1)-[c3_e:TO]->(c3:Department)
          RETURN {`key`: c3.key, `name`: c3.name_en} AS item
          LIMIT 1 })} AS item
      LIMIT 5001 }} AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0} AS found
# parameters
{
  "n0": "\"discount\""
}

# feedbackGoesTo
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
  "n0": "\"customer feedback\" OR \"custom feedback\""
}
