"""What a request selected, as the plain tree of `Want`s that graph.reads compiles to Cypher."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph.reads import Want

# Arguments that only shape how a resolver presents data, never what is fetched.
_PRESENTATION_ARGUMENTS = {"lang"}


def _included(directives: dict[str, dict[str, Any]]) -> bool:
    if "skip" in directives and directives["skip"].get("if") is True:
        return False
    return not ("include" in directives and directives["include"].get("if") is False)


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    """The fields selected, with fragments flattened and @skip / @include applied."""
    for selection in selections:
        if not _included(selection.directives):
            continue
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)
        else:
            yield selection


def wants(selections: Iterable[Selection]) -> tuple[Want, ...]:
    """Merge fields that share a response key (GraphQL guarantees they agree) into one Want."""
    merged: dict[str, tuple[SelectedField, list[Selection]]] = {}
    for field in _fields(selections):
        key = field.alias or field.name
        if key in merged:
            merged[key][1].extend(field.selections)
        else:
            merged[key] = (field, list(field.selections))
    return tuple(
        Want(
            field=field.name,
            key=key,
            args=tuple(
                sorted(
                    (name, _freeze(value))
                    for name, value in field.arguments.items()
                    if name not in _PRESENTATION_ARGUMENTS and value is not None
                )
            ),
            children=wants(children),
        )
        for key, (field, children) in merged.items()
    )


def wanted_by(info: Info[Any, Any]) -> tuple[Want, ...]:
    """The selection under the field being resolved."""
    selected = info.selected_fields
    return wants(selected[0].selections) if selected else ()
