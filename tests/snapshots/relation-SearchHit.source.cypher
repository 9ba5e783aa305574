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
  RETURN {`source`: HEAD(COLLECT {
      UNWIND [c0] AS c1
      RETURN {`quote`: c1.source_quote} AS item
      LIMIT 1 })} AS item
  LIMIT $p2 } AS result, {} AS found
# parameters
{
  "p0": "name_vi:(+ke +toan)^8 name_vi:\"ke toan\"^16 name_en:(+ke +toan)^8 name_en:\"ke toan\"^16 aliases_vi:(+ke +toan)^8 aliases_vi:\"ke toan\"^16 aliases_en:(+ke +toan)^8 aliases_en:\"ke toan\"^16 title_vi:(+ke +toan)^3 title_vi:\"ke toan\"^6 title_en:(+ke +toan)^3 title_en:\"ke toan\"^6 text_vi:(+ke +toan)^1 text_vi:\"ke toan\"^2 text_en:(+ke +toan)^1 text_en:\"ke toan\"^2 summary_vi:(+ke +toan)^1 summary_vi:\"ke toan\"^2 summary_en:(+ke +toan)^1 summary_en:\"ke toan\"^2 purpose_vi:(+ke +toan)^1 purpose_vi:\"ke toan\"^2 purpose_en:(+ke +toan)^1 purpose_en:\"ke toan\"^2 statement_vi:(+ke +toan)^1 statement_vi:\"ke toan\"^2 statement_en:(+ke +toan)^1 statement_en:\"ke toan\"^2 action_vi:(+ke +toan)^1 action_vi:\"ke toan\"^2 action_en:(+ke +toan)^1 action_en:\"ke toan\"^2",
  "p1": "name_vi:(ke toan)^8 name_vi:\"ke toan\"^16 name_en:(ke toan)^8 name_en:\"ke toan\"^16 aliases_vi:(ke toan)^8 aliases_vi:\"ke toan\"^16 aliases_en:(ke toan)^8 aliases_en:\"ke toan\"^16 title_vi:(ke toan)^3 title_vi:\"ke toan\"^6 title_en:(ke toan)^3 title_en:\"ke toan\"^6 text_vi:(ke toan)^1 text_vi:\"ke toan\"^2 text_en:(ke toan)^1 text_en:\"ke toan\"^2 summary_vi:(ke toan)^1 summary_vi:\"ke toan\"^2 summary_en:(ke toan)^1 summary_en:\"ke toan\"^2 purpose_vi:(ke toan)^1 purpose_vi:\"ke toan\"^2 purpose_en:(ke toan)^1 purpose_en:\"ke toan\"^2 statement_vi:(ke toan)^1 statement_vi:\"ke toan\"^2 statement_en:(ke toan)^1 statement_en:\"ke toan\"^2 action_vi:(ke toan)^1 action_vi:\"ke toan\"^2 action_en:(ke toan)^1 action_en:\"ke toan\"^2",
  "p2": 10
}
