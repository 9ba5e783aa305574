"""Warming up a starting process: the first real request as fast as any later one.

A process that has just started has compiled nothing and measured nothing; on a large graph the
first visitor's requests paid for it (1.8 s of API time for the explorer's first screen at 1,000
departments). So as soon as it starts, the app runs, through its own schema and executor, every
operation a first visitor or an internal tool asks first — the named operations of `queries/` with
their defaults, and the explorer's own (read from its scripts, so that they cannot drift apart),
with the first department's key where a name is wanted — and /readyz answers 503 "warming up"
until it is done, so a load balancer sends it nobody before (requests that come anyway are
served). That compiles their Cypher, plans it in Neo4j, measures the graph for the cost estimates
and builds `ask`'s index. It is bounded in time: a Neo4j that does not answer delays readiness,
never prevents it.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    NonNullTypeNode,
    OperationDefinitionNode,
    parse,
)

from api.auth import Auth
from api.context import WARM_UP, Context, Lang
from graph.failures import DatabaseUnavailable, QueryTimeout
from graph.request_scope import request_scope

log = logging.getLogger("deptgraph.api")

# The explorer's operations as its scripts hold them: `query Explorer…` in a template literal, with
# `${NAME}` parts that are constants of the scripts themselves (`const NAME = "…"` or `…`).
_OPERATION = re.compile(r"`(query Explorer\w+[^`]*)`")
_CONSTANT = re.compile(r"""const ([A-Z][A-Z_]*) = (?:`([^`]*)`|"([^"\\]*)")""")
_PART = re.compile(r"\$\{([A-Z][A-Z_]*)\}")


def explorer_operations(static: Path) -> list[str]:
    """The GraphQL operations the explorer's scripts send, their constant parts filled in (an
    operation with any other `${…}` part is left out)."""
    texts = [script.read_text(encoding="utf-8") for script in sorted(static.rglob("*.js"))]
    constants = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
                 for text in texts for m in _CONSTANT.finditer(text)}  # fmt: skip
    found: list[str] = []
    for text in texts:
        for operation in _OPERATION.findall(text):
            for _ in range(5):  # constants made of constants
                operation = _PART.sub(lambda m: constants.get(m.group(1), m.group(0)), operation)
            if "${" not in operation:
                found.append(operation)
    return found


def _variables(document: str, key: str) -> dict[str, Any]:
    """Values for an operation's required variables: the first department's key for a name, `1`
    for a number; optional ones keep their defaults."""
    values: dict[str, Any] = {}
    for definition in parse(document).definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            if isinstance(variable.type, NonNullTypeNode) and variable.default_value is None:
                kind = getattr(variable.type.type, "name", None)
                values[variable.variable.name.value] = 1 if kind and kind.value == "Int" else key
    return values


async def warm_up(schema: Any, services: Any, documents: list[str], settings: Any) -> None:
    """Warm up in the background of a starting process; the process is ready when it is done."""
    services.warming = True
    try:
        ran, took = await warm(schema, services, documents, settings.warm_up_seconds)
        log.info("warmed up: %d operations in %.1fs", ran, took)
    except (DatabaseUnavailable, QueryTimeout) as exc:
        log.warning("could not warm up (%s): the first requests compile what they need", exc)
    finally:
        services.warming = False


async def warm(schema: Any, services: Any, documents: list[str], seconds: float) -> tuple[int, float]:
    """Run each of `documents` once through `schema`, in both languages; how many ran, in how long."""
    started = time.monotonic()
    database = services.database
    rows = await database.read("MATCH (d:Department) RETURN d.key AS key ORDER BY d.position, d.key LIMIT 1")
    key = rows[0]["key"] if rows else "sales"
    ran = 0
    for document in documents:
        for lang in (Lang.VI, Lang.EN):
            left = seconds - (time.monotonic() - started)
            if left <= 0:
                return ran, time.monotonic() - started
            context = Context(
                request=None,  # type: ignore[arg-type]
                response=None,
                database=database,
                request_id=WARM_UP,
                reading=services.reading,
                lang=lang,
                auth=Auth(None, database),
                development=False,
                versions=services.versions,
                feed=services.feed,
                clock=services.clock,
                counts_questions=False,
            )
            try:
                with request_scope(left):
                    result = await schema.execute(document, variable_values=_variables(document, key),
                                                  context_value=context)  # fmt: skip
            except GraphQLError as exc:  # a document that does not parse: the scripts' own business
                log.debug("warm-up: %s", exc)
                continue
            ran += 1
            for error in result.errors or ():
                log.debug("warm-up: %s: %s", document.split("{", 1)[0].strip(), error.message)
    return ran, time.monotonic() - started
