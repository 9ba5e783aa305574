"""What the explorer's editor reads and previews: who is signed in, a thing as its update takes
it, and what a delete would remove — against the real app and Neo4j."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, get_named_type

from api.mutations import EditableKind
from api.schema import build_schema
from deptgraph.settings import Settings
from graph.database import Database
from graph.tokens import create_token
from seed.loader import export

from .conftest import PROJECT
from .test_mutations import call, snapshot

RECORD = "query($kind: EditableKind!, $key: String!) { record(kind: $kind, key: $key) { kind key version relationship value } }"
KINDS = {
    "Department": ("accounting", None), "Party": ("customer", None), "Topic": ("revenue", None),
    "Relationship": ("sales-accounting", None), "Flow": ("sales-to-accounting-revenue", "sales-accounting"),
    "Principle": None, "Statement": None, "Scenario": None,
}  # fmt: skip


@pytest.fixture
async def editor(seeded: Database) -> str:
    return await create_token(seeded, "editor-mai", "editor")


async def test_me_names_the_token_and_its_role(api: httpx.AsyncClient, seeded: Database, editor: str) -> None:
    assert (await call(api, editor, "{ me { name role } }"))["data"]["me"] == {"name": "editor-mai", "role": "editor"}
    viewer = await create_token(seeded, "viewer-lan", "viewer")
    assert (await call(api, viewer, "{ me { name role } }"))["data"]["me"] == {"name": "viewer-lan", "role": "viewer"}
    anonymous = (await api.post("/graphql", json={"query": "{ me { name } }"})).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _some_keys(api: httpx.AsyncClient, editor: str) -> dict[str, tuple[str, str | None]]:
    data = (await call(api, editor, "{ principles { key } statements { key } relationship(between: \"sales\", "
                       "and: \"customer-care\") { key examples { key } } }"))["data"]  # fmt: skip
    rel = data["relationship"]
    return {**{k: v for k, v in KINDS.items() if v}, "Principle": (data["principles"][0]["key"], None),
            "Statement": (data["statements"][0]["key"], None), "Scenario": (rel["examples"][0]["key"], rel["key"])}  # fmt: skip


async def test_a_record_is_what_its_update_takes_back_unchanged(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    for kind, (key, relationship) in (await _some_keys(api, editor)).items():
        found = (await call(api, editor, RECORD, {"kind": kind.upper(), "key": key}))["data"]["record"]
        assert found["key"] == key and found["version"] == 1 and found["relationship"] == relationship, found
        assert found["value"]["key"] == key
        update = (f"mutation($key: String!, $input: {kind}Input!) {{ update{kind}(key: $key, expectedVersion: 1, "
                  "input: $input) { key version } }")  # fmt: skip
        answer = await call(api, editor, update, {"key": key, "input": found["value"]})
        assert "errors" not in answer, (kind, answer)
        assert answer["data"][f"update{kind}"]["version"] == 1, kind  # the same state: nothing written
    assert await snapshot(seeded) == before


async def test_a_record_needs_an_editor_and_is_null_for_an_unknown_key(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    viewer = await create_token(seeded, "viewer-ha", "viewer")
    refused = await call(api, viewer, RECORD, {"kind": "FLOW", "key": "sales-to-accounting-revenue"})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await call(api, editor, RECORD, {"kind": "TOPIC", "key": "no-such-topic"}))["data"]["record"] is None


DELETE = """mutation($key: String!, $v: Int!, $dry: Boolean!) {
  deleteDepartment(key: $key, expectedVersion: $v, cascade: true, dryRun: $dry) { key removed unlinked dryRun } }"""


async def test_a_dry_run_delete_previews_exactly_what_the_delete_then_removes(
    api: httpx.AsyncClient, seeded: Database, editor: str
) -> None:
    before = await snapshot(seeded)
    preview: dict[str, Any] = (await call(api, editor, DELETE, {"key": "marketing", "v": 1, "dry": True}))["data"][
        "deleteDepartment"
    ]
    assert preview["dryRun"] is True
    assert "Department:marketing" in preview["removed"] and len(preview["removed"]) > 5
    assert await snapshot(seeded) == before  # nothing written, no audit record
    done = (await call(api, editor, DELETE, {"key": "marketing", "v": 1, "dry": False}))["data"]["deleteDepartment"]
    assert done == {**preview, "dryRun": False}
    gone = await seeded.read(
        "UNWIND $idents AS ident MATCH (n {key: split(ident, ':')[1]}) WHERE split(ident, ':')[0] IN labels(n) "
        "RETURN count(n) AS n",
        idents=preview["removed"],
    )
    assert gone[0]["n"] == 0
    assert "- key: marketing\n" not in await export(seeded)


async def test_a_dry_run_is_refused_like_the_delete(api: httpx.AsyncClient, seeded: Database, editor: str) -> None:
    stale = await call(api, editor, DELETE, {"key": "marketing", "v": 7, "dry": True})
    assert stale["errors"][0]["extensions"]["code"] == "CONFLICT"
    anonymous = await api.post("/graphql", json={"query": DELETE, "variables": {"key": "sales", "v": 1, "dry": True}})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_editors_form_description_is_the_schemas_input_types() -> None:
    """The editor builds every form from the INPUTS and ENUMS of api/static/inputs.js: they must say
    exactly what api/schema.graphql says, so a field added to an input type shows up in the forms."""
    script = (PROJECT / "api" / "static" / "inputs.js").read_text(encoding="utf-8")
    block = script.split("// INPUT TYPES BEGIN", 1)[1].split("// INPUT TYPES END", 1)[0]
    inputs = json.loads(block.split("export const INPUTS = ", 1)[1].split(";\n", 1)[0])
    enums = json.loads(block.split("export const ENUMS = ", 1)[1].split(";\n", 1)[0])
    schema = build_schema(Settings())._schema
    wanted = {"TextInput", "AliasesInput"} | {f"{kind.value}Input" for kind in EditableKind}
    reachable: set[str] = set()
    while wanted - reachable:
        name = sorted(wanted - reachable)[0]
        reachable.add(name)
        graphql_type = schema.type_map[name]
        assert isinstance(graphql_type, GraphQLInputObjectType)
        assert inputs.get(name) == {field: str(f.type) for field, f in graphql_type.fields.items()}, name
        for f in graphql_type.fields.values():
            named = get_named_type(f.type)
            if isinstance(named, GraphQLInputObjectType):
                wanted.add(named.name)
            elif isinstance(named, GraphQLEnumType):
                assert enums[named.name] == list(named.values), named.name
    assert set(inputs) == reachable


def test_the_editors_cascading_deletes_and_creates_inside_a_relationship_are_the_schemas() -> None:
    """The editor passes `cascade: true` to the deletes of the kinds in CASCADES and a relationship
    to the creates of those in INSIDE (api/static/inputs.js): they must be exactly the schema's
    delete mutations that take `cascade` and its create mutations that take `relationship`."""
    script = (PROJECT / "api" / "static" / "inputs.js").read_text(encoding="utf-8")
    block = script.split("// INPUT TYPES BEGIN", 1)[1].split("// INPUT TYPES END", 1)[0]
    cascades = json.loads(block.split("export const CASCADES = new Set(", 1)[1].split(");\n", 1)[0])
    inside = json.loads(block.split("export const INSIDE = new Set(", 1)[1].split(");\n", 1)[0])
    mutation = build_schema(Settings())._schema.mutation_type
    assert mutation is not None
    fields = mutation.fields
    assert set(cascades) == {name.removeprefix("delete") for name, f in fields.items()
                             if name.startswith("delete") and "cascade" in f.args}  # fmt: skip
    assert set(inside) == {name.removeprefix("create") for name, f in fields.items()
                           if name.startswith("create") and "relationship" in f.args}  # fmt: skip


async def test_no_log_line_holds_the_token(
    api: httpx.AsyncClient, seeded: Database, editor: str, caplog: pytest.LogCaptureFixture
) -> None:
    """What the editor sends — who am I, a record, an update, a refused one, a preview — is logged
    (access lines, errors) without the token."""
    caplog.set_level(logging.INFO)
    await call(api, editor, "{ me { name role } }")
    found = (await call(api, editor, RECORD, {"kind": "TOPIC", "key": "revenue"}))["data"]["record"]
    update = 'mutation($input: TopicInput!) { updateTopic(key: "revenue", expectedVersion: 9, input: $input) { key } }'
    assert (await call(api, editor, update, {"input": found["value"]}))["errors"][0]["extensions"]["code"] == "CONFLICT"
    await call(api, editor, DELETE, {"key": "marketing", "v": 1, "dry": True})
    await call(api, editor[:-1] + ("A" if editor[-1] != "A" else "B"), "{ me { name } }")  # an unknown token
    assert any(record.name == "deptgraph.access" for record in caplog.records)  # the access lines were seen
    for record in caplog.records:
        assert editor[4:] not in record.getMessage() and editor[4:] not in repr(vars(record)), record.name
