"""The contract internal tools rely on: fixed names, arguments and types, documented, checked in."""

from __future__ import annotations

from graphql import GraphQLSchema, build_schema, get_named_type, is_object_type, value_from_ast

from api.schema import build_schema as build_deptgraph_schema
from api.schema import sdl
from deptgraph.settings import Settings

from .conftest import PROJECT

# The stable contract, as issue #4 fixed it. deptgraph's types may carry more fields and
# there may be more root fields; none of these may change.
CONTRACT = """
enum Lang { VI EN }
enum FlowKind { NEED CONTRIBUTION }

type Query {
  departments: [Department!]!
  department(key: String!): Department
  relationship(between: String!, and: String!): Relationship
  needs(of: String!, from: String): [Flow!]!
  contributions(of: String!, to: String): [Flow!]!
  recipients(topic: String!): [Recipient!]!
  search(text: String!, limit: Int = 10): [SearchHit!]!
  principles: [Principle!]!
}
type Department   { key: String!  name(lang: Lang): String!  relationships: [Relationship!]!
                    needs(from: String): [Flow!]!  contributions(to: String): [Flow!]! }
type Relationship { key: String!  departments: [Department!]!  summary(lang: Lang): String!
                    sharedGoals: [Goal!]!  roles: [Role!]!  flows: [Flow!]!  examples: [Scenario!]! }
type Flow         { key: String!  kind: FlowKind!  text(lang: Lang): String!  purpose(lang: Lang): String
                    provider: Department!  receiver: Department!  topics: [Topic!]! }
type Goal         { key: String!  text(lang: Lang): String! }
type Role         { department: Department!  duties(lang: Lang): [String!]! }
type Topic        { key: String!  name(lang: Lang): String! }
type Scenario     { key: String!  title(lang: Lang): String!  text(lang: Lang): String!  steps: [Step!]! }
type Step         { position: Int! }
type Recipient    { department: Department!  how(lang: Lang): String! }
type SearchHit    { kind: String!  key: String!  text(lang: Lang): String!  score: Float! }
type Principle    { key: String!  text(lang: Lang): String! }
"""


def ours() -> GraphQLSchema:
    return build_deptgraph_schema(Settings())._schema


def test_every_contract_field_and_argument_is_there_with_its_type() -> None:
    contract, schema = build_schema(CONTRACT), ours()
    checked = 0
    for name, contract_type in contract.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        actual = schema.type_map.get(name)
        assert actual is not None, f"type {name} is missing"
        if not is_object_type(contract_type):
            assert sorted(actual.values) == sorted(contract_type.values), name  # type: ignore[attr-defined]
            continue
        for field_name, field in contract_type.fields.items():
            ours_field = actual.fields.get(field_name)  # type: ignore[union-attr]
            assert ours_field is not None, f"{name}.{field_name} is missing"
            assert str(ours_field.type) == str(field.type), f"{name}.{field_name}: {ours_field.type} != {field.type}"
            for arg_name, arg in field.args.items():
                ours_arg = ours_field.args.get(arg_name)
                assert ours_arg is not None, f"{name}.{field_name}({arg_name}:) is missing"
                assert str(ours_arg.type) == str(arg.type), f"{name}.{field_name}({arg_name}:)"
                if arg.ast_node is not None and arg.ast_node.default_value is not None:
                    default = value_from_ast(arg.ast_node.default_value, arg.type)
                    assert ours_arg.default_value == default, f"{name}.{field_name}({arg_name}:) default"
            required = {a for a, v in ours_field.args.items() if str(v.type).endswith("!") and v.default_value is None}
            assert required <= set(field.args), f"{name}.{field_name} requires more arguments than the contract"
            checked += 1
    object_types = [t for n, t in contract.type_map.items() if is_object_type(t) and not n.startswith("__")]
    assert checked == sum(len(t.fields) for t in object_types) > 40


def test_every_type_field_and_argument_is_documented_for_graphiql_readers() -> None:
    schema = ours()
    undocumented = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not named.description:
            undocumented.append(name)
        for field_name, field in getattr(named, "fields", {}).items():
            if not field.description:
                undocumented.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description:
                    undocumented.append(f"{name}.{field_name}({arg_name}:)")
    assert undocumented == []


def test_the_checked_in_sdl_matches_the_code() -> None:
    checked_in = (PROJECT / "api" / "schema.graphql").read_text(encoding="utf-8")
    assert checked_in == sdl(), "api/schema.graphql is stale: run `deptgraph schema -o api/schema.graphql`"


def test_the_sdl_parses_and_lists_every_root_field() -> None:
    schema = build_schema((PROJECT / "api" / "schema.graphql").read_text(encoding="utf-8"))
    query = schema.query_type
    assert query is not None
    assert {"departments", "department", "relationship", "needs", "contributions", "recipients",
            "search", "principles", "topics", "topic", "statements", "about"} <= set(query.fields)  # fmt: skip
    assert get_named_type(query.fields["needs"].type).name == "Flow"
