"""The floor: each onboarding question answered with hand-written Cypher, straight through the driver.

One query per question, written by hand for exactly that answer (keys known in advance, no
name resolution, no GraphQL) — the fastest the same answer can come out of Neo4j from Python.
The API's latency is reported as a multiple of this.
"""

from __future__ import annotations

FLOW = "{.key, .kind, .text_en, .purpose_en, provider: p {.key, .name_en}, receiver: r {.key, .name_en}}"

FLOOR: dict[str, str] = {
    "WhatSalesNeedsFromAccounting": f"""
        MATCH (r:Department {{key: 'sales'}})<-[:TO]-(f:Flow)<-[:PROVIDES]-(p:Department {{key: 'accounting'}})
        MATCH (rel:Relationship)-[:INCLUDES]->(f)
        WITH f, p, r ORDER BY rel.position, f.position
        RETURN collect(f {FLOW}) AS needs""",
    "WhatSalesContributesToMarketing": f"""
        CALL () {{
          MATCH (p:Department {{key: 'sales'}})-[:PROVIDES]->(f:Flow)-[:TO]->(r:Department {{key: 'marketing'}})
          WITH f, p, r ORDER BY f.position RETURN collect(f {FLOW}) AS toMarketing }}
        CALL () {{
          MATCH (p:Department {{key: 'sales'}})-[:PROVIDES]->(f:Flow)-[:TO]->(r:Department {{key: 'accounting'}})
          WITH f, p, r ORDER BY f.position RETURN collect(f {FLOW}) AS toAccounting }}
        RETURN toMarketing, toAccounting""",
    "WhoGetsCustomerComplaints": """
        MATCH (t:Topic {key: 'complaints'})
        CALL (t) {
          MATCH (t)<-[:ABOUT]-(s:Step)-[:RECIPIENT]->(d:Department) RETURN d, s AS e
          UNION ALL MATCH (t)<-[:ABOUT]-(f:Flow)-[:TO]->(d:Department) RETURN d, f AS e }
        WITH t, d, collect(e {.*}) AS evidence
        WITH t, collect({department: d {.key, .name_en}, evidence: evidence}) AS recipients
        RETURN recipients, COLLECT {
          MATCH (t)<-[:ABOUT]-(:Step)<-[:HAS_STEP]-(sc:Scenario) WITH DISTINCT sc
          RETURN sc {.title_en, steps: COLLECT { MATCH (sc)-[:HAS_STEP]->(st)-[:ACTOR]->(a)
            RETURN st {.position, .action_en, .purpose_en, actor: a {.key, .name_en}} ORDER BY st.position }}
        } AS examples""",
    "GoalsSalesAndEngineeringShare": """
        MATCH (:Department {key: 'sales'})<-[:BETWEEN]-(r:Relationship)-[:BETWEEN]->(:Department {key: 'engineering'})
        RETURN r {.title_en, goals: COLLECT { MATCH (r)-[:HAS_GOAL]->(g) RETURN g {.key, .text_en} ORDER BY g.position }}
        AS relationship""",
    "SalesRoleWithAccounting": """
        MATCH (:Department {key: 'sales'})<-[:BETWEEN]-(r:Relationship)-[:BETWEEN]->(:Department {key: 'accounting'})
        RETURN r {.title_en, roles: COLLECT { MATCH (r)-[:HAS_ROLE]->(role)-[:OF]->(d)
          RETURN {department: d {.key, .name_en},
                  duties: COLLECT { MATCH (role)-[:HAS_DUTY]->(x) RETURN x.text_en ORDER BY x.position }} }}
        AS relationship""",
    "HowSalesAndCustomerCareCooperate": f"""
        MATCH (:Department {{key: 'sales'}})<-[:BETWEEN]-(rel:Relationship)-[:BETWEEN]->(:Department {{key: 'customer-care'}})
        RETURN rel {{.title_en, .summary_en,
          activities: COLLECT {{ MATCH (rel)-[:COOPERATES_ON]->(a) RETURN a.text_en ORDER BY a.position }},
          flows: COLLECT {{ MATCH (rel)-[:INCLUDES]->(f)<-[:PROVIDES]-(p) MATCH (f)-[:TO]->(r)
                             RETURN f {FLOW} ORDER BY f.position }},
          examples: COLLECT {{ MATCH (rel)-[:HAS_EXAMPLE]->(s) RETURN s {{.title_en, .text_en,
            steps: COLLECT {{ MATCH (s)-[:HAS_STEP]->(st)-[:ACTOR]->(a)
              RETURN st {{.position, .action_en, .purpose_en, actor: a {{.key, .name_en}},
                recipient: HEAD(COLLECT {{ MATCH (st)-[:RECIPIENT]->(x) RETURN x {{.key, .name_en}} }})}}
              ORDER BY st.position }} }} ORDER BY s.position }} }} AS relationship""",
    "WhoSalesWorksWith": """
        MATCH (d:Department {key: 'sales'})
        RETURN d {.key, .name_en, relationships: COLLECT { MATCH (d)<-[:BETWEEN]-(rel:Relationship)
          RETURN rel {.key, departments: COLLECT { MATCH (rel)-[b:BETWEEN]->(x) RETURN x {.key, .name_en} ORDER BY b.position },
            flows: COLLECT { MATCH (rel)-[:INCLUDES]->(f)<-[:PROVIDES]-(p) MATCH (f)-[:TO]->(r)
              RETURN f {.kind, .text_en, provider: p.key, receiver: r.key} ORDER BY f.position }}
          ORDER BY rel.position }} AS department""",
    "PricingDiscountsAndFeedback": """
        CALL () { MATCH (t:Topic {key: 'pricing'})<-[:ABOUT]-(f:Flow)<-[:PROVIDES]-(p) MATCH (f)-[:TO]->(r)
          RETURN collect(f {.text_en, provider: p {.key, .name_en}, receiver: r {.key, .name_en}}) AS pricing }
        CALL () { MATCH (t:Topic {key: 'discounts'})<-[:ABOUT]-(f:Flow)<-[:PROVIDES]-(p) MATCH (f)-[:TO]->(r)
          RETURN collect(f {.text_en, provider: p {.key, .name_en}, receiver: r {.key, .name_en}}) AS discounts }
        CALL () { MATCH (t:Topic {key: 'customer-feedback'})
          CALL (t) { MATCH (t)<-[:ABOUT]-(s:Step)-[:RECIPIENT]->(d:Department) RETURN d, s AS e
                     UNION ALL MATCH (t)<-[:ABOUT]-(f:Flow)-[:TO]->(d:Department) RETURN d, f AS e }
          WITH d, collect(e {.*}) AS evidence
          RETURN collect({department: d {.key, .name_en}, evidence: evidence}) AS feedback }
        RETURN pricing, discounts, feedback""",
    "WhyAccountingNeedsRevenue": """
        MATCH (:Topic {key: 'revenue'})<-[:ABOUT]-(f:Flow)-[:TO]->(:Department {key: 'accounting'})
        MATCH (p:Department)-[:PROVIDES]->(f)
        RETURN collect(f {.text_en, .purpose_en, .statement_en, provider: p {.key, .name_en}}) AS flows""",
    "PrinciplesOfCooperation": """
        RETURN COLLECT { MATCH (p:Principle) RETURN p {.key, .title_en, .text_en} ORDER BY p.position } AS principles,
               COLLECT { MATCH (s:Statement {section: 'conclusion'}) RETURN s.text_en ORDER BY s.position } AS conclusion""",
    "Search": """
        CALL db.index.fulltext.queryNodes('knowledge_search', '(+ke +toan) "ke toan"^2', {limit: 10})
        YIELD node, score
        RETURN labels(node)[0] AS kind, node.key AS key, coalesce(node.name_en, node.title_en, node.text_en) AS text, score""",
    "HowCustomerFeedbackReachesEngineering": """
        MATCH (a:Department {key: 'customer-care'}), (b:Department {key: 'engineering'}), (t:Topic {key: 'customer-feedback'})
        MATCH p = SHORTEST 20 (a)((x:Department)<-[:BETWEEN]-(:Relationship)-[:BETWEEN]->(y:Department)
          WHERE EXISTS { (x)-[:PROVIDES]->(f:Flow)-[:TO]->(y) WHERE (f)-[:ABOUT]->(t) }){1,4}(b)
        WITH a, t, x, y ORDER BY size(y) LIMIT 5
        RETURN size(y) AS hops, [d IN [a] + y | d {.key, .name_en}] AS departments, COLLECT {
          UNWIND range(0, size(y) - 1) AS i
          WITH t, i, x[i] AS s, y[i] AS r
          CALL (t, s, r) { MATCH (s)-[:PROVIDES]->(f:Flow)-[:TO]->(r) WHERE (f)-[:ABOUT]->(t)
            RETURN f ORDER BY f.position, f.key LIMIT 1 }
          RETURN f {.text_en, .purpose_en, provider: s.key, receiver: r.key} ORDER BY i } AS flows""",
}
