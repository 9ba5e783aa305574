# statements
RETURN COLLECT {
  MATCH (c0:Statement)
  WITH c0
  ORDER BY c0.position, c0.key
  RETURN {`about`: COLLECT {
      MATCH (c0)-[c1_e:MENTIONS]->(c1)
      WITH c1, [c1_e.position, c1.key] AS c1_k
      ORDER BY c1_k
      RETURN {`key`: c1.key} AS item
      LIMIT 5001 }} AS item
  LIMIT 5001 } AS result, {} AS found
# parameters
{}
