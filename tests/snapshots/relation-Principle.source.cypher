# principles
RETURN COLLECT {
  MATCH (c0:Principle)
  WITH c0
  ORDER BY c0.position, c0.key
  RETURN {`source`: HEAD(COLLECT {
      UNWIND [c0] AS c1
      RETURN {`quote`: c1.source_quote} AS item
      LIMIT 1 })} AS item
  LIMIT 5001 } AS result, {} AS found
# parameters
{}
