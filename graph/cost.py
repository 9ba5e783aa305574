"""What a query will cost, before it runs: an estimate from the selection and the graph's real
list sizes (graphql-armor's cost limit, with the sizes @neo4j/graphql's `@limit` would state).

The cost of a selection is the number of values its answer may hold: each scalar counts once per
object that carries it. How many objects a list brings is bounded two ways, and the smaller wins:

* by its parents: each parent brings at most the largest fan-out the relation has in the graph;
* by the relation itself: all the parents together bring at most as many items as the relation
  has in the whole graph, times how often one parent can appear among them (`repeat`: a node met
  again through another path counts again). A node is met through a relation at most as often as
  the relation's largest in-degree.

So one hub (a department with 130 relationships, a relationship with 400 goals) bounds the lists
under it, not every list of its kind everywhere: a department page costs what the graph could
give it, not 130 × 400. The bound stays sound: nested lists that do multiply (needs › provider ›
needs …) still multiply, through `repeat`. `GraphStats` keeps the numbers — nodes per label; for
every declared relation its largest fan-out, its size and its largest in-degree — measured in one
query and refreshed as the graph changes.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from graph.compiled import DEFAULT_FIRST, MAX_NAMED, SEARCH_WINDOW, Select
from graph.database import Database
from graph.failures import DatabaseUnavailable, QueryTimeout
from graph.mapping import AllOf, ByKey, ByKeys, Derived, FullText, Named, Page, PagePart, Related, Root
from graph.shape import LABELS, Label
from graph.version import VersionWatch

log = logging.getLogger("deptgraph.cost")

# Before the first measurement (or when it fails), lists are assumed this long.
UNKNOWN = 100
# After a failed measurement, the next is tried no sooner than this.
RETRY_SECONDS = 5.0
# The longest a query refused on out-of-date figures waits for fresh ones, and the time it must
# still have left to run once they came.
SETTLE_SECONDS = 8.0
SETTLE_MARGIN = 2.0


@dataclass(frozen=True)
class Level:
    """The objects at one level of an answer: how many (`items`), and how often one node may be
    among them (`repeat`)."""

    items: int
    repeat: int


class GraphStats:
    """Nodes per label; per relation the largest fan-out, the size (all its items from all its
    parents) and the largest in-degree — as last measured."""

    def __init__(self, relations: Iterable[Related] = ()) -> None:
        self.relations = tuple(dict.fromkeys(relations))
        self.counts: dict[Label, int] = {}
        self.fanouts: dict[Related, int] = {}
        self.sizes: dict[Related, int] = {}
        self.indegrees: dict[Related, int] = {}
        self.measured_at: float | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._attempted_at = -RETRY_SECONDS
        self._failed_at = -RETRY_SECONDS
        self._stale = False
        # The graph's version as this process last saw it (graph.version.VersionWatch, kept
        # fresh by the requests' own checks): a change made through any process makes the
        # figures stale, not only this process's own writes.
        self.watch: VersionWatch | None = None
        self._measured_stamp: object = None
        self._started_stamp: object = None  # the state of the graph the latest measurement began on
        self.measurements = 0  # started so far

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

    def size(self, relation: Related) -> int:
        found = self.sizes.get(relation)
        return found if found is not None else UNKNOWN * UNKNOWN

    def indegree(self, relation: Related) -> int:
        found = self.indegrees.get(relation)
        return found if found is not None else UNKNOWN

    def query(self) -> str:
        """One statement that measures everything: a subquery per label and per relation."""
        parts = [f"CALL () {{ MATCH (x:{label}) RETURN count(x) AS l{i} }}" for i, label in enumerate(LABELS)]
        for i, relation in enumerate(self.relations):
            near = " OR ".join(f"p:{label}" for label in sorted(relation.via[0].near_labels))
            far = " OR ".join(f"q:{label}" for label in sorted(relation.via[-1].far_labels))
            pattern, near_var = "", "p"
            for j, hop in enumerate(relation.via):
                last = j == len(relation.via) - 1
                pattern += hop.pattern(near_var, "q" if last else f"x{j}")[len(f"({near_var})") if j else 0 :]
                near_var = f"x{j}"
            out = f"COUNT {{ MATCH {pattern} RETURN DISTINCT q }}"
            into = f"COUNT {{ MATCH {pattern} RETURN DISTINCT p }}"
            parts.append(
                f"CALL () {{ MATCH (p) WHERE {near} WITH {out} AS n "
                f"RETURN coalesce(max(n), 0) AS r{i}, coalesce(sum(n), 0) AS s{i} }}"
            )
            parts.append(f"CALL () {{ MATCH (q) WHERE {far} RETURN coalesce(max({into}), 0) AS d{i} }}")
        columns = [f"l{i}" for i in range(len(LABELS))] + [f"[r{i}, s{i}, d{i}]" for i in range(len(self.relations))]
        return " ".join(parts) + f" RETURN [{', '.join(columns)}] AS figures"

    async def measure(self, db: Database) -> None:
        stamp = self.watch.stamp if self.watch is not None else None
        self._started_stamp = stamp
        self.measurements += 1
        rows = await db.read(self.query())
        figures = rows[0]["figures"]
        self.counts = dict(zip(LABELS, figures[: len(LABELS)], strict=True))
        measured = figures[len(LABELS) :]
        self.fanouts = {relation: m[0] for relation, m in zip(self.relations, measured, strict=True)}
        self.sizes = {relation: m[1] for relation, m in zip(self.relations, measured, strict=True)}
        self.indegrees = {relation: m[2] for relation, m in zip(self.relations, measured, strict=True)}
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
        if self.measured_at is None and waiting and not db.breaker.degraded:  # never hold requests in an outage
            await asyncio.shield(self._refreshing)  # type: ignore[arg-type]

    def unsettled(self) -> bool:
        """Whether the figures are known to be out of date: the graph moved since they were
        measured (as this process last saw its version), or a write here said so."""
        seen = self.watch.stamp if self.watch is not None else None
        return self._stale or (seen is not None and seen != self._measured_stamp)

    async def settle(self, db: Database, deadline: float | None) -> bool:
        """Before a query is refused on figures known to be out of date, wait for them to be
        measured again; True when they were. A graph that shrank (a large organisation replaced
        by a small one) otherwise refuses the small one's pages on the large one's sizes until
        the background measure lands.

        Bounded every way: not in an outage, nor within `RETRY_SECONDS` of a failed measurement;
        at most `SETTLE_SECONDS`, and leaving the request `SETTLE_MARGIN` to run its query (past
        that, the query is refused as before); one measurement per state of the graph, however
        many costly queries arrive (only a write moves it): they wait for the same one."""
        now = time.monotonic()
        until = now + SETTLE_SECONDS if deadline is None else min(now + SETTLE_SECONDS, deadline - SETTLE_MARGIN)
        if not self.unsettled() or db.breaker.degraded or until <= now or now - self._failed_at <= RETRY_SECONDS:
            return False
        if self._refreshing is None or self._refreshing.done():
            seen = self.watch.stamp if self.watch is not None else None
            if seen is not None and seen == self._started_stamp and not self._stale:
                return False  # this state of the graph was measured already (or failed to be)
            self._attempted_at = now
            self._refreshing = asyncio.create_task(self._measure_logged(db), context=contextvars.Context())
        try:
            await asyncio.wait_for(asyncio.shield(self._refreshing), until - time.monotonic())
        except TimeoutError:
            return False
        return not self.unsettled()

    def changed(self) -> None:
        """The graph changed: measure again soon (in the background)."""
        self._stale = True
        self._attempted_at = -RETRY_SECONDS

    async def _measure_logged(self, db: Database) -> None:
        try:
            await self.measure(db)
        except (DatabaseUnavailable, QueryTimeout) as exc:
            self._failed_at = time.monotonic()
            log.debug("could not measure the graph: %s", exc)
        except Exception:  # e.g. Neo4j's memory limit on a very large graph: estimates keep the last figures
            self._failed_at = time.monotonic()
            log.warning("could not measure the graph's list sizes", exc_info=True)


def estimate(root: Root, select: Select, stats: GraphStats) -> int:
    """How many values the answer to `select` under `root` may hold, at most."""
    start = root.start
    if isinstance(start, AllOf) and isinstance(root.then, Page):
        return _page_cost(select, Level(1, 1), stats.count(start.label), None, stats)
    if isinstance(start, FullText) and isinstance(root.then, Page):
        return _page_cost(select, Level(1, 1), SEARCH_WINDOW, None, stats)
    if isinstance(start, AllOf):
        many = stats.count(start.label)
    elif isinstance(start, FullText):
        many = int(select.arg("limit") or 10)
    elif isinstance(start, ByKeys):
        many = len(select.arg("keys") or [])
    else:
        assert isinstance(start, (Named, ByKey))
        # A name may name several things, which a relation reads one by one, or as one list.
        as_list = isinstance(root.then, Derived) and root.then.parent_list
        many = MAX_NAMED if isinstance(start, Named) and start.many and not as_list else 1
    level = Level(many, many if isinstance(start, ByKeys) else 1)
    if root.then is not None:
        return _relation_cost(root.then, select, level, stats)
    return many + _cost(select.children, level, stats)


def _through(relation: Related, parents: Level, stats: GraphStats) -> Level:
    """The objects a relation brings from `parents`: the smaller of the two bounds (see above)."""
    if relation.single:
        items = parents.items
    else:
        items = min(parents.items * stats.fanout(relation), parents.repeat * stats.size(relation))
    return Level(items, max(1, min(items, parents.repeat * min(stats.indegree(relation), parents.items))))


def _relation_cost(relation: Related | Derived | Page, select: Select, parents: Level, stats: GraphStats) -> int:
    if isinstance(relation, Page):
        return _page_cost(select, parents, stats.fanout(relation.of), relation.of, stats)
    if isinstance(relation, Related):
        level = _through(relation, parents, stats)
    else:  # a template: only its bound is known, and how often a thing may come back
        items = parents.items if relation.single else parents.items * stats.fanout(relation)
        level = Level(items, max(1, min(items, parents.items)) if relation.distinct else items)
    searching = parents.items * relation.search if isinstance(relation, Derived) else 0
    return searching + level.items + _cost(select.children, level, stats)


def _page_cost(select: Select, parents: Level, fanout: int, relation: Related | None, stats: GraphStats) -> int:
    first = int(select.arg("first") or DEFAULT_FIRST)
    items = parents.items * min(first, fanout)
    if relation is not None and relation.via:
        items = min(items, _through(relation, parents, stats).items)
        level = Level(items, max(1, min(items, parents.repeat * min(stats.indegree(relation), parents.items))))
    else:
        level = Level(items, parents.repeat)
    total = parents.items
    for part in select.children:
        if part.mapping in (PagePart.NODES, PagePart.EDGES):
            total += level.items + _cost(part.children, level, stats)
        else:
            total += parents.items * max(1, len(part.children))
    return total


def _cost(selects: Iterable[Select], parents: Level, stats: GraphStats) -> int:
    total = 0
    for select in selects:
        mapping = select.mapping
        if isinstance(mapping, (Related, Derived, Page)):
            total += _relation_cost(mapping, select, parents, stats)
        elif mapping is PagePart.NODE:
            total += _cost(select.children, parents, stats)
        else:
            total += parents.items
    return total
