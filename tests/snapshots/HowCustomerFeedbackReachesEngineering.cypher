# paths
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
CALL () {
  CALL db.index.fulltext.queryNodes('knowledge_names', $n2) YIELD node
  WHERE node:Topic
  WITH node
  ORDER BY node.position, node.key
  LIMIT 10
  RETURN collect(node) AS n2 }
RETURN HEAD(COLLECT {
  UNWIND n0 AS c0
  RETURN COLLECT {
    UNWIND n1 AS c1_b
    WITH c0 AS c1_a, c1_b, n2 AS c1_about
    MATCH c1_path = SHORTEST 20 (c1_a)((c1_x:Department)<-[:BETWEEN]-(:Relationship)-[:BETWEEN]->(c1_y:Department)
    WHERE EXISTS {
      MATCH (c1_x)-[:PROVIDES]->(c1_f:Flow)-[:TO]->(c1_y)
      WHERE c1_about IS NULL OR EXISTS {
        MATCH (c1_f)-[:ABOUT]->(c1_t)
        WHERE c1_t IN c1_about } }){1,6}(c1_b)
    WHERE length(c1_path) <= 2 * $p0 AND NOT c1_a IN c1_y AND all(c1_i IN range(1, size(c1_y) - 1)
    WHERE NOT c1_y[c1_i] IN c1_y[0..c1_i])
    WITH c1_a, c1_about, c1_x, c1_y
    ORDER BY size(c1_y), [c1_k IN c1_y | c1_k.key]
    LIMIT $p1
    WITH {hops: size(c1_y), departments: [c1_a] + c1_y, flows: COLLECT {
        UNWIND range(0, size(c1_y) - 1) AS c1_n
        WITH c1_n, c1_x[c1_n] AS c1_s, c1_y[c1_n] AS c1_r, c1_about
        CALL (c1_s, c1_r, c1_about) {
          MATCH (c1_s)-[:PROVIDES]->(c1_g:Flow)-[:TO]->(c1_r)
          WHERE c1_about IS NULL OR EXISTS {
            MATCH (c1_g)-[:ABOUT]->(c1_u)
            WHERE c1_u IN c1_about }
          RETURN c1_g
          ORDER BY c1_g.position, c1_g.key
          LIMIT 1 }
        RETURN c1_g
        ORDER BY c1_n }} AS c1
    WITH c1
    ORDER BY c1.hops, [c1_k IN c1.departments | c1_k.key]
    RETURN {`hops`: c1.hops, `departments`: COLLECT {
        UNWIND range(0, size(c1.departments) - 1) AS c2_i
        WITH c1.departments[c2_i] AS c2, c2_i
        WITH c2
        ORDER BY c2_i
        RETURN {`key`: c2.key, `name`: c2.name_en} AS item
        LIMIT 5001 }, `flows`: COLLECT {
        UNWIND range(0, size(c1.flows) - 1) AS c3_i
        WITH c1.flows[c3_i] AS c3, c3_i
        WITH c3
        ORDER BY c3_i
        RETURN {`text`: c3.text_en, `purpose`: c3.purpose_en, `provider`: HEAD(COLLECT {
            MATCH (c3)<-[c4_e:PROVIDES]-(c4:Department)
            RETURN {`key`: c4.key} AS item
            LIMIT 1 }), `receiver`: HEAD(COLLECT {
            MATCH (c3)-[c5_e:TO]->(c5:Department)
            RETURN {`key`: c5.key} AS item
            LIMIT 1 }), `source`: HEAD(COLLECT {
            UNWIND [c3] AS c6
            RETURN {`quote`: c6.source_quote} AS item
            LIMIT 1 })} AS item
        LIMIT 5001 }} AS item
    LIMIT 5001 } AS item
  LIMIT 1 }) AS result, {n0: size(n0) > 0, n1: size(n1) > 0, n2: size(n2) > 0} AS found
# parameters
{
  "n0": "\"cham soc khach hang\" OR \"cham hang khach soc\"",
  "n1": "\"ky thuat\"",
  "n2": "\"phan hoi cua khach hang\" OR \"hang hoi khach phan\"",
  "p0": 4,
  "p1": 5
}
