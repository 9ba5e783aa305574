# parties
RETURN COLLECT {
  MATCH (c0:Party)
  WITH c0
  ORDER BY c0.position, c0.key
  RETURN {`departments`: COLLECT {
      CALL (c0) {
        MATCH (c0:Party)<-[:CONCERNS]-(:Duty)<-[:HAS_DUTY]-(:Role)-[:OF]->(c1_d:Department)
        RETURN c1_d
        UNION
        MATCH (c0:Party)<-[:CONCERNS]-(:Goal|Activity)<-[:HAS_GOAL|COOPERATES_ON]-(:Relationship)-[:BETWEEN]->(c1_d:Department)
        RETURN c1_d
        UNION
        MATCH (c0:Party)<-[:ACTOR|RECIPIENT]-(:Step)<-[:HAS_STEP]-(:Scenario)<-[:HAS_EXAMPLE]-(:Relationship)-[:BETWEEN]->(c1_d:Department)
        RETURN c1_d
        UNION
        MATCH (c0:Department)
        RETURN c0 AS c1_d }
      WITH DISTINCT c1_d AS c1
      WITH c1
      ORDER BY c1.position, c1.key
      RETURN {`key`: c1.key} AS item
      LIMIT 5001 }} AS item
  LIMIT 5001 } AS result, {} AS found
# parameters
{}
