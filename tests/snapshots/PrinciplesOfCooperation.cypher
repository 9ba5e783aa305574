# principles
RETURN COLLECT {
  MATCH (c0:Principle)
  WITH c0
  ORDER BY c0.position, c0.key
  RETURN {`key`: c0.key, `title`: c0.title_en, `text`: c0.text_en, `source`: HEAD(COLLECT {
      UNWIND [c0] AS c1
      RETURN {`section`: c1.source_section, `quote`: c1.source_quote} AS item
      LIMIT 1 })} AS item
  LIMIT 5001 } AS result, {} AS found
# parameters
{}

# conclusion
RETURN COLLECT {
  MATCH (c0:Statement)
  WHERE c0.section = $p0
  WITH c0
  ORDER BY c0.position, c0.key
  RETURN {`text`: c0.text_en, `source`: HEAD(COLLECT {
      UNWIND [c0] AS c1
      RETURN {`quote`: c1.source_quote} AS item
      LIMIT 1 })} AS item
  LIMIT 5001 } AS result, {} AS found
# parameters
{
  "p0": "conclusion"
}
