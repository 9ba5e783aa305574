"""Constraints and indexes: one uniqueness constraint per label's key, and the search index.

`ensure_schema` is idempotent and runs before every seed; it recreates the search index when
its definition (labels, properties, analyzer) changed between versions of deptgraph.
"""

from __future__ import annotations

from graph.database import Database
from graph.model import SEARCHABLE_LABELS, SEARCHABLE_PROPERTIES, identifier
from graph.shape import LABELS

SEARCH_INDEX = "knowledge_search"
# "standard-folding" folds diacritics (ế → e, đ → d), so "ke toan" finds "kế toán".
SEARCH_ANALYZER = "standard-folding"
# Terms of names (graph.terms), word by word: the candidates a loosely typed name may mean.
TERMS_INDEX = "knowledge_terms"
# Exact, index-backed matching of folded names ("ke toan", "cskh"): one keyword per `lookup`
# entry, so resolving a name costs the same with 5 departments or 5,000.
NAMES_INDEX = "knowledge_names"
NAMED_LABELS = ("Department", "Party", "Topic")
# Labels outside the knowledge with keys of their own (tokens, audit records, the deployment's keys,
# the questions `ask` could not answer).
OTHER_UNIQUE = {
    "ApiToken": "name", "Change": "id", "GraphState": "id", "DeploymentKey": "name", "UnansweredQuestion": "key",
    "FeedLease": "id",
}  # fmt: skip
OTHER_INDEXES = (
    "CREATE CONSTRAINT apitoken_hash_unique IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.hash IS UNIQUE",
    "CREATE INDEX change_at IF NOT EXISTS FOR (c:Change) ON (c.at)",
    "CREATE INDEX change_key IF NOT EXISTS FOR (c:Change) ON (c.key)",
    "CREATE INDEX change_version IF NOT EXISTS FOR (c:Change) ON (c.version)",
    "CREATE INDEX unanswered_last_asked IF NOT EXISTS FOR (q:UnansweredQuestion) ON (q.last_asked)",
)


def _constraint_statements() -> list[str]:
    wanted = dict.fromkeys(LABELS, "key") | OTHER_UNIQUE
    return [
        f"CREATE CONSTRAINT {identifier(label).lower()}_{prop}_unique IF NOT EXISTS "
        f"FOR (n:{identifier(label)}) REQUIRE n.{prop} IS UNIQUE"
        for label, prop in wanted.items()
    ]


FULLTEXT_INDEXES = {
    SEARCH_INDEX: (SEARCHABLE_LABELS, SEARCHABLE_PROPERTIES, SEARCH_ANALYZER),
    NAMES_INDEX: (NAMED_LABELS, ("lookup", "terms"), "keyword"),
    TERMS_INDEX: (NAMED_LABELS, ("terms",), "whitespace"),
}


def _fulltext_statement(name: str) -> str:
    labels, props, analyzer = FULLTEXT_INDEXES[name]
    return (
        f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS "
        f"FOR (n:{'|'.join(identifier(label) for label in labels)}) "
        f"ON EACH [{', '.join(f'n.{prop}' for prop in props)}] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{analyzer}', "
        "`fulltext.eventually_consistent`: false}}"
    )


async def ensure_schema(db: Database) -> None:
    """Create what is missing, replace stale full-text indexes, and wait until all are online."""
    for statement in [*_constraint_statements(), *OTHER_INDEXES]:
        await db.command(statement)  # identifiers from graph.model
    rows = await db.read(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties, options "
        "RETURN name, labelsOrTypes, properties, options.indexConfig['fulltext.analyzer'] AS analyzer"
    )
    current = {row["name"]: row for row in rows}
    for name, (labels, props, analyzer) in FULLTEXT_INDEXES.items():
        found = current.get(name)
        if found and (
            sorted(found["labelsOrTypes"]) != sorted(labels)
            or sorted(found["properties"]) != sorted(props)
            or found["analyzer"] != analyzer
        ):
            await db.command(f"DROP INDEX {name} IF EXISTS")
        await db.command(_fulltext_statement(name))
    await db.command("CALL db.awaitIndexes(120)")
