"""The domain: what deptgraph knows, as validated data, below every other layer.

`domain.knowledge` holds the models that seed files and mutations share (a fact is checked the
same way whichever door it comes in by); `domain.names` how names are folded for matching. Nothing
here talks to Neo4j, GraphQL or files: `graph/`, `seed/` and `api/` import from here, never the
other way round.
"""
