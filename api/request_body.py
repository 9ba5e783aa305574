"""What a GraphQL request over HTTP holds, checked before anything runs: a POST's JSON object or a
GET's parameters, the operation's query, variables, name and extensions (their types, and how
deeply they nest), and which operation of the document runs. Each mistake is the client's: a
400 that says what to send instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import OperationDefinitionNode

# How deeply a request's variables or extensions may nest (objects and lists): no GraphQL input of
# this schema nests deeper than a few levels.
MAX_NESTING = 64


def nesting(value: Any) -> int:
    """How deeply lists and objects nest in a JSON value (0 for a scalar), counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_NESTING:
            stack.extend((child, level + 1) for child in children)
    return deepest


def json_object(data: str | bytes) -> dict[str, Any]:
    """A GraphQL request body is a JSON object; anything else is the client's mistake (400)."""
    try:
        parsed = orjson.loads(data)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, "The request body is not valid JSON (UTF-8).") from exc
    if isinstance(parsed, list):
        raise HTTPException(400, "Batching is not supported: send one operation per request.")
    if not isinstance(parsed, dict):
        raise HTTPException(400, 'The request body must be a JSON object like {"query": "…"}.')
    return parsed


def get_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """The operation a GET request's query string holds (variables and extensions as JSON)."""
    data: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName")}
    for name in ("variables", "extensions"):
        if params.get(name):
            try:
                data[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError as exc:
                raise HTTPException(400, f"The {name} parameter must be a JSON object.") from exc
    return data


def operation_parts(data: dict[str, Any]) -> tuple[Any, dict[str, Any] | None, str | None, dict[str, Any] | None]:
    """The query, variables, operationName and extensions of a request, each of its type."""
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if not isinstance(query, str | None):
        raise HTTPException(400, "The operation's query must be a string.")
    if not isinstance(variables, dict | None):
        raise HTTPException(400, "The operation's variables must be a JSON object.")
    if not isinstance(name, str | None):
        raise HTTPException(400, "The operationName must be a string.")
    if not isinstance(extensions, dict | None):
        raise HTTPException(400, "The operation's extensions must be a JSON object.")
    for part, value in (("variables", variables), ("extensions", extensions)):
        if nesting(value) > MAX_NESTING:  # and JSON encoders give up at 255 (orjson)
            raise HTTPException(400, f"The operation's {part} nest deeper than {MAX_NESTING} levels.")
    return query, variables, name, extensions


def chosen(document: Any, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the one named, or the only one. Several and no name is the
    client's mistake (400) — Strawberry would quietly run the first."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) > 1:
            raise HTTPException(400, "The document holds several operations: say which one to run with operationName.")
        return operations[0] if operations else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)
