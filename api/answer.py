"""Answering a field with the read compiler: a Query field, or what a mutation wrote."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from api.context import Context
from api.selection import root_selection, selection_as
from graph import reads
from graph.mapping import ByKey, ByKeys, Root
from graph.request_scope import request_deadline
from graph.shape import Label


async def may_read(info: Info[Context, None]) -> None:
    """Reads are open unless tokens are required; a token that is presented must be good."""
    if info.context.auth is not None:
        await info.context.auth.may_read()


async def answer(info: Info[Context, None]) -> Any:
    """The root field's answer: as the executor read it ahead with the operation's other root
    fields (api.execution), or else in one query of its own (refused first if it would cost too much)."""
    read_ahead = info.context.read_ahead
    if read_ahead is not None and info.path.key in read_ahead:
        found = read_ahead[info.path.key]
        if isinstance(found, Exception):
            raise found
        return found
    await may_read(info)
    root, select = root_selection(info)
    return await _read(info, root, select)


async def read_back(info: Info[Context, None], label: Label, key: str) -> Any:
    """The node `label`/`key` as the mutation's selection asks for it (None if it is gone)."""
    root = Root(ByKey(label))
    return await _read(info, root, selection_as(info, root, {"key": key}))


async def read_keys(info: Info[Context, None], label: Label, keys: list[str]) -> Any:
    """The nodes `label`/`keys`, in that order, as the field being resolved selects them (a list
    found by a query of its own first, like the relationships `stale` lists)."""
    root = Root(ByKeys(label))
    return await _read(info, root, selection_as(info, root, {"keys": keys}))


async def _read(info: Info[Context, None], root: Root, select: Any) -> Any:
    context = info.context
    reading = context.reading
    await reading.stats.fresh(context.database, reading.stats_max_age)
    return await reads.read(
        context.database, root, select, limits=reading.limits, stats=reading.stats, max_cost=reading.max_cost,
        deadline=request_deadline(),
    )  # fmt: skip
