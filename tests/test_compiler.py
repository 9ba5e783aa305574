"""What each query costs, readable without a database: GraphQL in, Cypher and parameters out.

Every operation of queries/ and one query per declared relation are compiled and compared with
the files in tests/snapshots/ (like @neo4j/graphql's tck tests). A change to the compiler or to a
field's declaration shows up there as a reviewed diff: run `pytest tests/test_compiler.py
--update-snapshots` and read what changed before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import get_named_type, is_object_type, parse, validate
from graphql.execution.values import get_variable_values

from api.fields import mapping_of
from api.queries import load_queries
from api.schema import build_schema
from api.selection import root_selections
from deptgraph.settings import Settings
from graph.compiled import Limits
from graph.compiler import compile_root
from graph.mapping import Derived, Page, Related

from .conftest import PROJECT

SNAPSHOTS = Path(__file__).with_name("snapshots")
SCHEMA = build_schema(Settings())._schema
QUERIES = load_queries(PROJECT / "queries")
_KEYWORDS = re.compile(r" (?=(?:MATCH|OPTIONAL MATCH|WITH|RETURN|UNWIND|UNION|ORDER BY|WHERE|CALL|LIMIT)\b)")


def pretty(cypher: str) -> str:
    """One clause per line, indented by the depth of the subquery it stands in."""
    out, depth, quoted = [], 0, None
    for part in _KEYWORDS.split(cypher):
        out.append("  " * depth + part.strip())
        for char in part:
            if quoted:
                quoted = None if char == quoted else quoted
            elif char in "'`":
                quoted = char
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
    return "\n".join(out)


def compiled_text(query: str, variables: dict[str, Any] | None = None, lang: str = "en") -> str:
    document = parse(query)
    assert not validate(SCHEMA, document), validate(SCHEMA, document)
    operation = document.definitions[0]
    coerced = get_variable_values(SCHEMA, operation.variable_definitions or [], variables or {})  # type: ignore[attr-defined]
    assert not isinstance(coerced, list), coerced
    parts = []
    for key, root, select in root_selections(SCHEMA, document, coerced.coerced, lang):
        assert root is not None and select is not None, f"{key} is not compiled"
        compiled = compile_root(root, select, Limits())
        params = compiled.params(select, Limits())
        parts.append(
            f"# {key}\n{pretty(compiled.cypher)}\n# parameters\n"
            + orjson.dumps(params, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode()
        )
    return "\n\n".join(parts) + "\n"


def check(name: str, text: str, update: bool) -> None:
    path = SNAPSHOTS / f"{name}.cypher"
    if update or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not update:
            pytest.fail(f"{path} was missing and has been written: review it and run again")
    assert text == path.read_text(encoding="utf-8"), (
        f"the Cypher of {name} changed: review the difference and run with --update-snapshots"
    )


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_each_named_query_compiles_to_its_snapshot(query: Any, update: bool) -> None:
    check(query.name, compiled_text(query.text, {"lang": "EN"}), update)


def relation_fields() -> list[tuple[str, str, str]]:
    """(type, field, query) for every field that follows a relation, reached from a root."""
    reach = {
        "Department": '{ department(key: "sales") { %s } }',
        "Relationship": '{ relationship(between: "sales", and: "accounting") { %s } }',
        "Flow": '{ needs(of: "sales") { %s } }',
        "Topic": '{ topic(name: "complaints") { %s } }',
        "Recipient": '{ recipients(topic: "complaints") { %s } }',
        "Role": '{ relationship(between: "sales", and: "accounting") { roles { %s } } }',
        "Scenario": '{ topic(name: "complaints") { examples { %s } } }',
        "Step": '{ topic(name: "complaints") { examples { steps { %s } } } }',
        "Participant": "{ parties { %s } }",
        "SearchHit": '{ search(text: "ke toan") { %s } }',
        "Statement": "{ statements { %s } }",
        "Path": '{ paths(from: "customer-care", to: "engineering", about: "feedback") { %s } }',
        "Goal": '{ relationship(between: "sales", and: "accounting") { sharedGoals { %s } } }',
        "Activity": '{ relationship(between: "sales", and: "accounting") { activities { %s } } }',
        "Duty": '{ relationship(between: "sales", and: "accounting") { roles { items { %s } } } }',
        "Principle": "{ principles { %s } }",
        "Citation": '{ needs(of: "sales") { source { %s } } }',
        "Owner": '{ relationship(between: "sales", and: "accounting") { owner { %s } } }',
    }
    found = []
    for type_name, template in reach.items():
        graphql_type = SCHEMA.type_map[type_name]
        for name, field in graphql_type.fields.items():  # type: ignore[attr-defined]
            mapping = mapping_of(field)
            if isinstance(mapping, (Related, Derived, Page)):
                if isinstance(mapping, Page):
                    selection = f"{name} {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ key }} }} }}"
                else:
                    named = get_named_type(field.type)
                    fields = named.fields  # type: ignore[attr-defined]
                    inner = "key" if "key" in fields else "quote" if "quote" in fields else "department { key }"
                    selection = f"{name} {{ {inner} }}"
                found.append((type_name, name, template % selection))
    return found


RELATIONS = relation_fields()


def test_every_relation_field_of_every_read_type_is_covered() -> None:
    declared = {
        (name, field_name)
        for name, graphql_type in SCHEMA.type_map.items()
        if is_object_type(graphql_type)
        and name not in ("Query", "Mutation")
        and not name.endswith(("Connection", "Edge"))
        for field_name, field in graphql_type.fields.items()  # type: ignore[attr-defined]
        if isinstance(mapping_of(field), (Related, Derived, Page))
    }
    assert declared == {(t, f) for t, f, _ in RELATIONS}


@pytest.mark.parametrize(("type_name", "field", "query"), RELATIONS, ids=[f"{t}.{f}" for t, f, _ in RELATIONS])
def test_each_relation_compiles_to_its_snapshot(type_name: str, field: str, query: str, update: bool) -> None:
    check(f"relation-{type_name}.{field}", compiled_text(query), update)


def test_argument_values_are_parameters_not_cypher() -> None:
    one = compiled_text('{ needs(of: "sales", from: "accounting") { key } }')
    other = compiled_text('{ needs(of: "marketing", from: "Kế toán") { key } }')
    assert one.split("# parameters")[0] == other.split("# parameters")[0]
    assert '"\\"ke toan\\""' in other and "Kế toán" not in other.split("# parameters")[0]
