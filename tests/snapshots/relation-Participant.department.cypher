# parties
RETURN COLLECT {
  MATCH (c0:Party)
  WITH c0
  ORDER BY c0.position, c0.key
  RETURN {`department`: HEAD(COLLECT {
      UNWIND [c0] AS c1
      WITH c1
      WHERE c1:Department
      RETURN {`key`: c1.key} AS item
      LIMIT 1 })} AS item
  LIMIT 5001 } AS result, {} AS found
# parameters
{}
