"""Constraints and indexes: one uniqueness constraint per label's key, and the search index.

`ensure_schema` is idempotent and runs before every seed; it recreates the search index when
its definition (labels, properties, analyzer) changed between versions of deptgraph.
"""

from __future__ import annotations

from graph.database import Database
from graph.model import LABELS, SEARCHABLE_LABELS, SEARCHABLE_PROPERTIES, identifier

SEARCH_INDEX = "knowledge_search"
# "standard-folding" folds diacritics (ế → e, đ → d), so "ke toan" finds "kế toán".
SEARCH_ANALYZER = "standard-folding"
# Labels outside the knowledge with keys of their own (tokens, audit records).
OTHER_UNIQUE = {"ApiToken": "name", "Change": "id"}


def _constraint_statements() -> list[str]:
    wanted = dict.fromkeys(LABELS, "key") | OTHER_UNIQUE
    return [
        f"CREATE CONSTRAINT {identifier(label).lower()}_{prop}_unique IF NOT EXISTS "
        f"FOR (n:{identifier(label)}) REQUIRE n.{prop} IS UNIQUE"
        for label, prop in wanted.items()
    ]


def _search_index_statement() -> str:
    labels = "|".join(identifier(label) for label in SEARCHABLE_LABELS)
    props = ", ".join(f"n.{prop}" for prop in SEARCHABLE_PROPERTIES)
    return (
        f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{labels}) ON EACH [{props}] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{SEARCH_ANALYZER}', "
        "`fulltext.eventually_consistent`: false}}"
    )


async def ensure_schema(db: Database) -> None:
    """Create what is missing, replace a stale search index, and wait until all are online."""
    for statement in _constraint_statements():
        await db.command(statement)
    rows = await db.read(
        "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties, options "
        "WHERE name = $name RETURN labelsOrTypes, properties, "
        "options.indexConfig['fulltext.analyzer'] AS analyzer",
        name=SEARCH_INDEX,
    )
    current = rows[0] if rows else None
    if current and (
        sorted(current["labelsOrTypes"]) != sorted(SEARCHABLE_LABELS)
        or sorted(current["properties"]) != sorted(SEARCHABLE_PROPERTIES)
        or current["analyzer"] != SEARCH_ANALYZER
    ):
        await db.command(f"DROP INDEX {SEARCH_INDEX} IF EXISTS")
    await db.command(_search_index_statement())
    await db.command("CALL db.awaitIndexes(120)")
