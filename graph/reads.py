"""Answering root fields: `read` one, `read_all` several in one round trip.

`read` answers one root field: it checks the cost of the selection against the graph's real
list sizes, runs the compiled query, turns names that matched nothing into `NameNotFound` (with
suggestions taken from an index, never from a scan) and finishes the answer. Queries that run a
search (paths) take turns, so they never take all of Neo4j's request slots.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from graph.compiled import Compiled, Limits, Select, keys_query, merged
from graph.compiler import compile_root
from graph.cost import GraphStats, estimate
from graph.database import Database
from graph.errors import TooCostly
from graph.failures import Busy
from graph.finishing import Finishing, finish
from graph.mapping import Derived, Root
from graph.names import NameNotFound, closest_names, resolve
from graph.request_scope import request_stats, time_left

# At most this many searches (paths, graph.vocabulary.PATHS) run at once per process.
SEARCHES_AT_ONCE = 2
# A round trip estimated at this share of the cost limit or more is heavy (the limit's tenth: 5,000
# values by default; every named query of queries/ costs at most ~1,200 on the shipped graph, a
# two-hop nested walk of every department ~22,000). Only the round trip's own estimate counts, not
# what the request read before it (cheap aliases, `ask`'s own queries, a mutation's read-back).
# Heavy reads take turns, at most HEAVY_AT_ONCE at Neo4j per process and waiting outside the
# bulkhead, so a crowd of legal but costly queries never holds every slot and cheap requests keep
# being answered beside it (`python -m bench.heavy` prints both). A heavy read that waited
# HEAVY_WAIT_SHARE of the time it has left fails at once with SERVICE_UNAVAILABLE (try again).
HEAVY_SHARE = 0.1
HEAVY_AT_ONCE = 1
HEAVY_WAIT_SHARE = 1 / 3
BUSY_HEAVY = "Other costly queries are being answered; try again shortly, or select less"


async def read(
    db: Database,
    root: Root,
    select: Select,
    *,
    limits: Limits,
    stats: GraphStats,
    max_cost: int,
    deadline: float | None = None,
    costed: bool = False,
) -> Any:
    """Answer one root field in one round trip, or refuse it before it runs (unless `costed`:
    its cost is already counted)."""
    compiled = compile_root(root, select, limits)
    params = compiled.params(select, limits)  # checks the arguments first
    own = await _check_cost_settled(db, root, select, stats, max_cost, deadline) if not costed else None
    # a search has its own turn (at most SEARCHES_AT_ONCE), whatever its estimate
    heavy = not _search(root) and (own if own is not None else estimate(root, select, stats)) >= HEAVY_SHARE * max_cost
    async with _turn(root, heavy=heavy):
        rows = await db.read(compiled.cypher, **params)
    row = rows[0]
    missing = [use for use in compiled.names if not row["found"][use.variable]]
    if missing:
        # Not as typed, nor as its terms: what may it mean? (A second look, only for loose names.)
        meant = {use.variable: await resolve(db, use.label, use.value(select), use.many) for use in missing}
        if any(meant.values()):
            params |= {variable: keys_query(keys) for variable, keys in meant.items() if keys}
            async with _turn(root, heavy=heavy):
                row = (await db.read(compiled.cypher, **params))[0]
            missing = [use for use in compiled.names if not row["found"][use.variable]]
    if missing:
        if all(use.optional for use in missing):
            return [] if compiled.shape.kind == "list" else None  # e.g. department(key:) naming nothing
        use = next(use for use in missing if not use.optional)
        value = use.value(select)
        raise NameNotFound(use, value, tuple(await closest_names(db, use.label, value)))
    return finish(compiled, row["result"], params, Finishing(limits, deadline))


async def read_all(
    db: Database,
    fields: list[tuple[Root, Select]],
    *,
    limits: Limits,
    stats: GraphStats,
    max_cost: int,
    deadline: float | None = None,
) -> list[Any]:
    """Answer several root fields in one round trip (one transaction): each one's answer, or the
    exception that field gets. A field whose names need a second look is read again on its own."""
    if len(fields) == 1:
        root, select = fields[0]
        try:
            return [await read(db, root, select, limits=limits, stats=stats, max_cost=max_cost, deadline=deadline)]
        except Exception as exc:  # the caller reports it as that field's error
            return [exc]
    answers: list[Any] = [None] * len(fields)
    parts: list[tuple[int, Compiled, dict[str, Any]]] = []
    cost = 0  # of this round trip, its searches aside (they take their own turn)
    for index, (root, select) in enumerate(fields):
        try:
            compiled = compile_root(root, select, limits)
            params = compiled.params(select, limits)
            own_cost = await _check_cost_settled(db, root, select, stats, max_cost, deadline)
            cost += 0 if _search(root) else own_cost
        except Exception as exc:
            answers[index] = exc
            continue
        parts.append((index, compiled, params))
    if not parts:
        return answers
    cypher, params = merged([(compiled, own) for _, compiled, own in parts])
    try:
        async with _turn(*(fields[index][0] for index, _, _ in parts), heavy=cost >= HEAVY_SHARE * max_cost):
            rows = await db.read(cypher, **params)
    except Exception as exc:
        for index, _, _ in parts:
            answers[index] = exc
        return answers
    row = rows[0]
    for number, (index, compiled, own) in enumerate(parts):
        root, select = fields[index]
        try:
            if any(not row[f"f{number}"][use.variable] for use in compiled.names):
                answers[index] = await read(db, root, select, limits=limits, stats=stats, max_cost=max_cost,
                                            deadline=deadline, costed=True)  # fmt: skip
            else:
                answers[index] = finish(compiled, row[f"r{number}"], own, Finishing(limits, deadline))
        except Exception as exc:
            answers[index] = exc
    return answers


_Lanes = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
_searches: _Lanes = weakref.WeakKeyDictionary()
_heavies: _Lanes = weakref.WeakKeyDictionary()


def _lane(lanes: _Lanes, size: int) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in lanes:
        lanes[loop] = asyncio.Semaphore(size)
    return lanes[loop]


def _search(root: Root) -> bool:
    return isinstance(root.then, Derived) and bool(root.then.search)


@asynccontextmanager
async def _turn(*roots: Root, heavy: bool = False) -> AsyncIterator[None]:
    """A turn among the heavy reads of this process for a heavy round trip, then among its searches
    (paths) for one that runs one (always in this order: search-only reads never wait for the heavy
    turn, so no two requests wait for each other). Waiting for the heavy turn is bounded."""
    async with AsyncExitStack() as turns:
        if heavy:
            lane = _lane(_heavies, HEAVY_AT_ONCE)
            try:
                async with asyncio.timeout(HEAVY_WAIT_SHARE * time_left()):
                    await lane.acquire()
            except TimeoutError:
                raise Busy(BUSY_HEAVY) from None
            turns.callback(lane.release)
        if any(_search(root) for root in roots):
            await turns.enter_async_context(_lane(_searches, SEARCHES_AT_ONCE))
        yield


def _check_cost(root: Root, select: Select, stats: GraphStats, max_cost: int) -> int:
    """Refuse a root field whose estimate, with what the request's earlier fields may already
    produce, is over the limit: the limit is the request's, so aliases do not multiply it."""
    request = request_stats()
    earlier = request.cost if request is not None else 0
    own = estimate(root, select, stats)
    cost = earlier + own
    if cost > max_cost:
        raise TooCostly(
            f"This query may produce about {cost:,} values, more than the {max_cost:,} allowed. Select fewer "
            "nested lists or root fields, or page through long lists with their …Connection(first:, after:) "
            "fields.",
            cost=cost,
            limit=max_cost,
        )
    if request is not None:
        request.cost = cost
    return own


async def _check_cost_settled(
    db: Database, root: Root, select: Select, stats: GraphStats, max_cost: int, deadline: float | None
) -> int:
    """`_check_cost`, but a refusal on figures known to be out of date waits for fresh ones and
    asks again: only a query too costly for the graph as it is now is refused."""
    try:
        return _check_cost(root, select, stats, max_cost)
    except TooCostly:
        if not await stats.settle(db, deadline):
            raise
        return _check_cost(root, select, stats, max_cost)


def monotonic_deadline(seconds_left: float | None) -> float | None:
    return None if seconds_left is None else time.monotonic() + seconds_left
