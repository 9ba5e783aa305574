"""A field's arguments are those its declaration reads (issue 24): an argument nothing reads would
be silently ignored (`needs(of:, to:)` compiled to the same Cypher as `needs(of:)`), so the app
refuses to start with one."""

from __future__ import annotations

from typing import Annotated

import pytest
import strawberry
from strawberry.types import Info

from api.fields import GRAPH, graph_field
from api.selection import unread_arguments
from graph import search, vocabulary
from graph.mapping import EVERY, Named, Page, Prop, Root, Text, arguments_read
from graph.shape import Label


def test_a_declaration_says_which_arguments_its_field_offers() -> None:
    assert arguments_read(Text("name")) == {"lang"}
    assert arguments_read(Prop("key")) == set()
    assert arguments_read(vocabulary.NEEDS) == {"from"}
    assert arguments_read(Page(vocabulary.TOPIC_FLOWS)) == {"first", "after", "from", "to"}
    assert arguments_read(Root(Named("from", Label.DEPARTMENT), vocabulary.PATHS)) == {
        "from",
        "to",
        "about",
        "maxHops",
        "limit",
    }
    assert arguments_read(Root(search.SEARCH)) == {"text", "limit"}
    assert arguments_read(Root(search.SEARCH, Page(EVERY))) == {"text", "first", "after"}


def test_a_root_field_offering_an_argument_no_declaration_reads_is_refused() -> None:
    @strawberry.type
    class Query:
        @strawberry.field(metadata={GRAPH: Root(Named("of", Label.DEPARTMENT), vocabulary.NEEDS)})
        def needs(
            self,
            info: Info,
            of: str,
            from_: Annotated[str | None, strawberry.argument(name="from")] = None,
            to: str | None = None,
        ) -> list[str]:
            return []

    assert unread_arguments(strawberry.Schema(query=Query)._schema) == ["Query.needs(to:) is read by no declaration"]


def test_a_root_field_lacking_an_argument_its_declaration_reads_is_refused() -> None:
    @strawberry.type
    class Query:
        @strawberry.field(metadata={GRAPH: Root(Named("of", Label.DEPARTMENT), vocabulary.NEEDS)})
        def needs(self, info: Info, of: str) -> list[str]:
            return []

    assert unread_arguments(strawberry.Schema(query=Query)._schema) == [
        "Query.needs does not offer from:, which its declaration reads"
    ]


def test_no_field_of_the_real_schema_disagrees_with_its_declaration(settings: object) -> None:
    from api.schema import build_schema
    from deptgraph.settings import Settings

    assert isinstance(settings, Settings)
    assert unread_arguments(build_schema(settings)._schema) == []


def test_a_declaration_no_field_signature_offers_cannot_become_a_field() -> None:
    with pytest.raises(TypeError, match="no field signature"):
        graph_field(Root(Named("of", Label.DEPARTMENT), vocabulary.PATHS), "paths from a department")
