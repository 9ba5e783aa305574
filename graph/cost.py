"""What a query will cost, before it runs: an estimate from the selection and the graph's real
list sizes (graphql-armor's cost limit, with the sizes @neo4j/graphql's `@limit` would state).

The cost of a selection is the number of values its answer may hold: each scalar counts once per
object that carries it, each list multiplies by the largest number of items such a list has in
the graph now. `GraphStats` keeps those numbers — nodes per label, the largest fan-out of every
declared relation — measured in one query and refreshed as the graph changes.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Iterable

from graph.compiler import DEFAULT_FIRST, SEARCH_WINDOW, Select
from graph.database import Database, DatabaseUnavailable, QueryTimeout
from graph.mapping import AllOf, ByKey, ByKeys, Derived, FullText, Named, Page, PagePart, Related, Root
from graph.shape import LABELS, Label
from graph.version import VersionWatch

log = logging.getLogger("deptgraph.cost")

# Before the first measurement (or when it fails), lists are assumed this long.
UNKNOWN = 100
# After a failed measurement, the next is tried no sooner than this.
RETRY_SECONDS = 5.0


class GraphStats:
    """Nodes per label and the largest fan-out of each relation, as last measured."""

    def __init__(self, relations: Iterable[Related] = ()) -> None:
        self.relations = tuple(dict.fromkeys(relations))
        self.counts: dict[Label, int] = {}
        self.fanouts: dict[Related, int] = {}
        self.measured_at: float | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._attempted_at = -RETRY_SECONDS
        self._stale = False
        # The graph's version as this process last saw it (graph.version.VersionWatch, kept
        # fresh by the requests' own checks): a change made through any process makes the
        # figures stale, not only this process's own writes.
        self.watch: VersionWatch | None = None
        self._measured_stamp: object = None

    def count(self, label: Label) -> int:
        return self.counts.get(label, UNKNOWN) if self.measured_at else UNKNOWN

    def fanout(self, relation: Related | Derived | Label | int | None) -> int:
        if isinstance(relation, Derived):
            relation = relation.bound
        if relation is None:
            return UNKNOWN
        if isinstance(relation, int):  # the most items it can hold, whatever the graph
            return relation
        if isinstance(relation, Label):
            return self.count(relation)
        if relation.single:
            return 1
        found = self.fanouts.get(relation)
        return found if found is not None else UNKNOWN

    def query(self) -> str:
        """One statement that measures everything: a subquery per label and per relation."""
        parts = [f"CALL () {{ MATCH (x:{label}) RETURN count(x) AS l{i} }}" for i, label in enumerate(LABELS)]
        for i, relation in enumerate(self.relations):
            near = " OR ".join(f"p:{label}" for label in sorted(relation.via[0].near_labels))
            pattern, near_var = "", "p"
            for j, hop in enumerate(relation.via):
                pattern += hop.pattern(near_var, f"x{j}")[len(f"({near_var})") if j else 0 :]
                near_var = f"x{j}"
            counted = f"COUNT {{ MATCH {pattern} RETURN DISTINCT {near_var} }}"
            parts.append(f"CALL () {{ MATCH (p) WHERE {near} RETURN coalesce(max({counted}), 0) AS r{i} }}")
        columns = [f"l{i}" for i in range(len(LABELS))] + [f"r{i}" for i in range(len(self.relations))]
        return " ".join(parts) + f" RETURN [{', '.join(columns)}] AS figures"

    async def measure(self, db: Database) -> None:
        stamp = self.watch.stamp if self.watch is not None else None
        rows = await db.read(self.query())
        figures = rows[0]["figures"]
        self.counts = dict(zip(LABELS, figures[: len(LABELS)], strict=True))
        self.fanouts = dict(zip(self.relations, figures[len(LABELS) :], strict=True))
        self.measured_at = time.monotonic()
        self._stale = False
        self._measured_stamp = stamp

    async def fresh(self, db: Database, max_age: float) -> None:
        """Re-measure when never measured (waiting for it) or older than `max_age` (in the
        background). Either way it runs in a context of its own: never counted as one of the
        request's round trips."""
        now = time.monotonic()
        seen = self.watch.stamp if self.watch is not None else None
        moved = seen is not None and seen != self._measured_stamp
        stale = self._stale or moved or self.measured_at is None or now - self.measured_at > max_age
        if stale and now - self._attempted_at > RETRY_SECONDS and (self._refreshing is None or self._refreshing.done()):
            self._attempted_at = now
            self._refreshing = asyncio.create_task(self._measure_logged(db), context=contextvars.Context())
        waiting = self._refreshing is not None and not self._refreshing.done()
        if self.measured_at is None and waiting and not db.degraded:  # never hold requests in an outage
            await asyncio.shield(self._refreshing)  # type: ignore[arg-type]

    def changed(self) -> None:
        """The graph changed: measure again soon (in the background)."""
        self._stale = True
        self._attempted_at = -RETRY_SECONDS

    async def _measure_logged(self, db: Database) -> None:
        try:
            await self.measure(db)
        except (DatabaseUnavailable, QueryTimeout) as exc:
            log.debug("could not measure the graph: %s", exc)


def estimate(root: Root, select: Select, stats: GraphStats) -> int:
    """How many values the answer to `select` under `root` may hold, at most."""
    start = root.start
    if isinstance(start, AllOf) and isinstance(root.then, Page):
        return _page_cost(select, 1, stats.count(start.label), stats)
    if isinstance(start, FullText) and isinstance(root.then, Page):
        return _page_cost(select, 1, SEARCH_WINDOW, stats)
    if isinstance(start, AllOf):
        many = stats.count(start.label)
    elif isinstance(start, FullText):
        many = int(select.arg("limit") or 10)
    elif isinstance(start, ByKeys):
        many = len(select.arg("keys") or [])
    else:
        assert isinstance(start, (Named, ByKey))
        many = 1
    if root.then is not None:
        return _relation_cost(root.then, select, many, stats)
    return many + _cost(select.children, many, stats)


def _relation_cost(relation: Related | Derived | Page, select: Select, parents: int, stats: GraphStats) -> int:
    if isinstance(relation, Page):
        return _page_cost(select, parents, stats.fanout(relation.of), stats)
    items = parents if relation.single else parents * stats.fanout(relation)
    searching = parents * relation.search if isinstance(relation, Derived) else 0
    return searching + items + _cost(select.children, items, stats)


def _page_cost(select: Select, parents: int, fanout: int, stats: GraphStats) -> int:
    first = int(select.arg("first") or DEFAULT_FIRST)
    items = parents * min(first, fanout)
    total = parents
    for part in select.children:
        if part.mapping in (PagePart.NODES, PagePart.EDGES):
            total += items + _cost(part.children, items, stats)
        else:
            total += parents * max(1, len(part.children))
    return total


def _cost(selects: Iterable[Select], parents: int, stats: GraphStats) -> int:
    total = 0
    for select in selects:
        mapping = select.mapping
        if isinstance(mapping, (Related, Derived, Page)):
            total += _relation_cost(mapping, select, parents, stats)
        elif mapping is PagePart.NODE:
            total += _cost(select.children, parents, stats)
        else:
            total += parents
    return total
