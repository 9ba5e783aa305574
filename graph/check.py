"""`deptgraph check`: walk the graph and report every broken invariant, like fsck.

The invariants come from the graph's shape (`graph.shape`: what each node owns and how many of
it, which labels each relationship joins) and from the model (a relationship joins two distinct
departments, no other relationship joins the same two; a flow runs between its relationship's
departments; departments and parties share one set of keys, and no two of them answer to the
same name; every citation names a source document the graph holds; every node can be exported,
i.e. passes the seed files' own checks), plus the audit
trail: the last record of each node must describe the node as the graph holds it.

Each problem says what is wrong, where, and whether `--fix` may repair it. Safe repairs only:
a relationship whose ends have labels it never joins is removed (nothing can read it), a part
whose entity is gone is deleted (nothing can reach it), a node without a version gets version 1.
The rest needs a person: the message says what to look at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson
from neo4j import AsyncManagedTransaction
from pydantic import ValidationError

from domain.names import lookup_forms
from graph.audit import Audit, write_audit
from graph.database import Database, GraphLock
from graph.model import Link, NodeRecord
from graph.records_back import from_records
from graph.shape import (
    BETWEEN,
    CITED,
    EDGES,
    HAS_ROLE,
    INCLUDES,
    LABELS,
    OF,
    PROVIDES,
    TO,
    Label,
    Owner,
    is_part,
    types,
)
from graph.store import normalized, read_records

CHECK_ACTOR = "deptgraph check"


@dataclass(frozen=True)
class Problem:
    invariant: str  # a short name, e.g. "relationship-pair"
    label: str
    key: str
    message: str
    fixable: bool = False

    def __str__(self) -> str:
        mark = " (--fix repairs it)" if self.fixable else ""
        return f"{self.label} '{self.key}': {self.message} [{self.invariant}]{mark}"


async def _counts(db: Database) -> list[Problem]:
    """Every node owns exactly as many relationships of each kind as the shape says."""
    problems = []
    for edge in EDGES:
        if edge.exactly is None and edge.at_most is None:
            continue
        wrong = "c <> $exactly" if edge.exactly is not None else "c > $at_most"
        for label in sorted(edge.owner_labels()):
            pattern = f"(n)-[:{edge.type}]->()" if edge.owner is Owner.START else f"(n)<-[:{edge.type}]-()"
            rows = await db.read(
                f"MATCH (n:{label}) WITH n, COUNT {{ {pattern} }} AS c WHERE {wrong} "
                "RETURN coalesce(n.key, elementId(n)) AS key, c",
                exactly=edge.exactly,
                at_most=edge.at_most,
            )
            for row in rows:
                orphan = edge.part and edge.owner is Owner.END and row["c"] == 0
                verb = "is part of" if edge.part else "has"
                wanted = edge.exactly if edge.exactly is not None else f"at most {edge.at_most}"
                what = f"{verb} {row['c']} `{edge.type}` relationship(s), not {wanted}"
                if orphan:
                    what += ": its entity is gone, so nothing can show it"
                problems.append(Problem(f"{edge.type.lower()}-count", label, row["key"], what, fixable=orphan))
    return problems


async def _ends(db: Database) -> list[Problem]:
    """Every relationship joins the labels its type joins."""
    problems = []
    for edge in EDGES:
        rows = await db.read(
            f"MATCH (a)-[r:{edge.type}]->(b) "
            "WHERE NOT any(l IN labels(a) WHERE l IN $start) OR NOT any(l IN labels(b) WHERE l IN $end) "
            "RETURN labels(a)[0] AS label, coalesce(a.key, elementId(a)) AS key, labels(b)[0] AS other, "
            "coalesce(b.key, elementId(b)) AS other_key",
            start=sorted(edge.start),
            end=sorted(edge.end),
        )
        problems += [
            Problem(f"{edge.type.lower()}-ends", row["label"] or "?", row["key"],
                    f"`{edge.type}` goes to {row['other'] or '?'} '{row['other_key']}', which it never joins",
                    fixable=True)
            for row in rows
        ]  # fmt: skip
    return problems


async def _model(db: Database) -> list[Problem]:
    """The rules of the model that are more than counts."""
    problems = []
    pairs = await db.read(
        f"MATCH (r:Relationship) WITH r, COLLECT {{ MATCH (r)-[:{BETWEEN}]->(d) RETURN d.key }} AS pair "
        "RETURN r.key AS key, pair ORDER BY r.position, r.key"  # the later one of a pair is named
    )
    seen: dict[tuple[str, ...], str] = {}
    for row in pairs:
        pair = tuple(sorted(row["pair"]))
        if len(pair) == 2 and pair[0] == pair[1]:
            problems.append(Problem("relationship-pair", "Relationship", row["key"], f"joins {pair[0]} with itself"))
        elif len(pair) == 2 and pair in seen:
            message = f"joins {pair[0]} and {pair[1]}, as '{seen[pair]}' does: one relationship per pair"
            problems.append(Problem("relationship-pair", "Relationship", row["key"], message))
        seen.setdefault(pair, row["key"])
    flows = await db.read(
        f"MATCH (f:Flow) RETURN f.key AS key, "
        f"HEAD(COLLECT {{ MATCH (f)<-[:{PROVIDES}]-(d) RETURN d.key }}) AS provider, "
        f"HEAD(COLLECT {{ MATCH (f)-[:{TO}]->(d) RETURN d.key }}) AS receiver, "
        f"COLLECT {{ MATCH (f)<-[:{INCLUDES}]-()-[:{BETWEEN}]->(d) RETURN d.key }} AS pair"
    )
    for row in flows:
        if row["provider"] is not None and row["provider"] == row["receiver"]:
            problems.append(Problem("flow-sides", "Flow", row["key"], f"goes from {row['provider']} to itself"))
        for side in ("provider", "receiver"):
            if row[side] is not None and row["pair"] and row[side] not in row["pair"]:
                problems.append(Problem("flow-sides", "Flow", row["key"],
                                        f"its {side} {row[side]} is not one of its relationship's departments "
                                        f"({' and '.join(row['pair'])})"))  # fmt: skip
    roles = await db.read(
        f"MATCH (r:Relationship)-[:{HAS_ROLE}]->(role:Role)-[:{OF}]->(d) "
        f"WHERE NOT EXISTS {{ (r)-[:{BETWEEN}]->(d) }} RETURN role.key AS key, d.key AS department, r.key AS rel"
    )
    problems += [
        Problem("role-department", "Role", row["key"],
                f"is the role of {row['department']}, who is not in relationship '{row['rel']}'")
        for row in roles
    ]  # fmt: skip
    problems += await _one_per_name(db)
    problems += await _citations(db)
    shared = await db.read("MATCH (d:Department), (p:Party {key: d.key}) RETURN d.key AS key")
    problems += [Problem("participant-key", "Party", row["key"], "has the key of a department") for row in shared]
    unkeyed = await db.read(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) AND (n.key IS NULL OR n.version IS NULL) "
        "RETURN labels(n)[0] AS label, coalesce(n.key, elementId(n)) AS key, n.key IS NULL AS no_key",
        labels=list(LABELS),
    )
    problems += [
        Problem("key" if row["no_key"] else "version", row["label"], row["key"],
                "has no key" if row["no_key"] else "has no version", fixable=not row["no_key"])
        for row in unkeyed
    ]  # fmt: skip
    states = await db.read("MATCH (g:GraphState) RETURN count(g) AS n")
    if states[0]["n"] > 1:
        problems.append(Problem("graph-state", "GraphState", "graph", f"exists {states[0]['n']} times, not once"))
    return problems


async def _citations(db: Database) -> list[Problem]:
    """Every citation names a source document the graph holds."""
    rows = await db.read(
        "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $cited) AND n.source_document IS NOT NULL "
        f"AND NOT EXISTS {{ MATCH (:{Label.SOURCE} {{key: n.source_document}}) }} "
        "RETURN [l IN labels(n) WHERE l IN $cited][0] AS label, coalesce(n.key, elementId(n)) AS key, "
        "n.source_document AS source ORDER BY label, key",
        cited=list(CITED),
    )
    return [
        Problem("citation-source", row["label"], row["key"],
                f"cites the source document '{row['source']}', which the graph does not hold: seed the files that "
                "define it (or the item's own files again)")
        for row in rows
    ]  # fmt: skip


async def _one_per_name(db: Database) -> list[Problem]:
    """No two departments or parties answer to the same name (folded, as names are looked up)."""
    rows = await db.read(
        "MATCH (n) WHERE n:Department OR n:Party RETURN [l IN labels(n) WHERE l IN ['Department', 'Party']][0] AS "
        "label, n.key AS key, [n.name_vi, n.name_en] + coalesce(n.aliases_vi, []) + coalesce(n.aliases_en, []) AS "
        "names ORDER BY label, n.position, n.key"
    )
    owners: dict[str, tuple[str, str]] = {}
    problems = []
    for row in rows:
        if row["key"] is None:
            continue  # reported as a node without a key
        for form in lookup_forms(row["key"], *(name for name in row["names"] if isinstance(name, str))):
            other = owners.setdefault(form, (row["label"], row["key"]))
            if other != (row["label"], row["key"]) and other[1] != row["key"]:  # (a shared key: participant-key)
                message = f"answers to the name '{form}', as {other[0].lower()} '{other[1]}' does: one of them per name"
                problems.append(Problem("participant-name", row["label"], row["key"], message))
    return problems


async def _exportable(db: Database) -> list[Problem]:
    """Every node passes the seed files' own checks (texts in both languages, keys, …)."""
    stored = await read_records(db)
    try:
        from_records(node.record for node in stored.values())
    except ValidationError as exc:
        return [
            Problem(
                "exportable",
                "export",
                ".".join(map(str, e["loc"][:2])),
                f"{'.'.join(map(str, e['loc'][2:]))}: {e['msg']}",
            )
            for e in exc.errors()[:100]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        return [Problem("exportable", "export", "graph", f"cannot be written as seed files: {exc}")]
    return []


async def _audit_trail(db: Database) -> list[Problem]:
    """The last audit record of each node describes the node as the graph holds it."""
    rows = await db.read(
        # (collect() skips nulls: a deletion's null `after` travels inside a map)
        "MATCH (c:Change) WITH c ORDER BY c.version, c.seq "
        "WITH c.label AS label, c.key AS key, last(collect({after: c.after, id: c.id})) AS last "
        "RETURN label, key, last.after AS after, last.id AS id"
    )
    stored = await read_records(db)
    problems = []
    for row in rows:
        node = stored.get((row["label"], row["key"]))
        if row["after"] is None:
            if node is not None:
                message = f"exists, but its last audit record ({row['id']}) says it was deleted"
                problems.append(Problem("audit", row["label"], row["key"], message))
            continue
        after = orjson.loads(row["after"])
        if node is None:
            problems.append(Problem("audit", row["label"], row["key"],
                                    f"is gone, but its last audit record ({row['id']}) says it exists"))  # fmt: skip
            continue
        recorded = normalized(NodeRecord(row["label"], row["key"], {k: v for k, v in after["properties"].items()
                                                                    if k != "position"},
                                         tuple(_links(after["links"]))))  # fmt: skip
        props = {k: v for k, v in node.record.props.items() if k != "position"}
        held = NodeRecord(node.record.label, node.record.key, props, node.record.links)
        if after["version"] != node.version or not held.same_as(recorded):
            message = (
                f"is at version {node.version}, but its last audit record ({row['id']}) describes version "
                f"{after['version']} otherwise: it was changed outside deptgraph"
            )
            problems.append(Problem("audit", row["label"], row["key"], message))
    return problems


def _links(links: list[dict[str, Any]]) -> list[Link]:
    return [Link(x["type"], x["outgoing"], x["label"], x["key"], x["position"]) for x in links]


async def check(db: Database) -> list[Problem]:
    """Every broken invariant the graph holds now."""
    problems = [*await _counts(db), *await _ends(db), *await _model(db), *await _audit_trail(db)]
    if not any(p.invariant.endswith(("-count", "-ends")) for p in problems):
        problems += await _exportable(db)  # a broken shape is reported as such, not as a bad export
    return problems


async def fix(db: Database, problems: list[Problem]) -> list[str]:
    """Apply the safe repairs among `problems` in one audited transaction; say what was done."""
    done: list[str] = []
    fixable = [p for p in problems if p.fixable]
    if not fixable:
        return done

    async def work(tx: AsyncManagedTransaction, lock: GraphLock) -> None:
        audit: Audit = []
        await lock.version()
        for problem in fixable:
            if problem.invariant.endswith("-ends"):
                edge = problem.invariant.removesuffix("-ends").upper()
                result = await tx.run(
                    f"MATCH (a {{key: $key}})-[r:{types(e for e in EDGES if e.type == edge)}]->(b) "
                    "WHERE NOT any(l IN labels(a) WHERE l IN $start) OR NOT any(l IN labels(b) WHERE l IN $end) "
                    "DELETE r RETURN count(r) AS n",
                    key=problem.key,
                    start=sorted(next(e.start for e in EDGES if e.type == edge)),
                    end=sorted(next(e.end for e in EDGES if e.type == edge)),
                )
                row = await result.single()
                done.append(f"removed {row['n'] if row else 0} `{edge}` from {problem.label} '{problem.key}'")
            elif problem.invariant.endswith("-count") and is_part(Label(problem.label)):
                result = await tx.run(
                    f"MATCH (n:{Label(problem.label)} {{key: $key}}) OPTIONAL MATCH (n)-[*1..2]->(part) "
                    "WHERE part.key IS NOT NULL AND any(l IN labels(part) WHERE l IN ['Duty', 'Step']) "
                    "WITH n, collect(DISTINCT part) AS parts, properties(n) AS props "
                    "FOREACH (p IN parts | DETACH DELETE p) DETACH DELETE n RETURN props",
                    key=problem.key,
                )
                row = await result.single()
                if row is not None:
                    gone = NodeRecord(problem.label, problem.key, dict(row["props"]))
                    audit.append((gone, int(row["props"].get("version") or 1), None, None))
                    done.append(f"deleted {problem.label} '{problem.key}' (its entity is gone)")
            elif problem.invariant == "version":
                await tx.run(f"MATCH (n:{Label(problem.label)} {{key: $key}}) SET n.version = 1", key=problem.key)
                done.append(f"set the version of {problem.label} '{problem.key}' to 1")
        if audit:
            await write_audit(tx, CHECK_ACTOR, "check --fix", audit, await lock.version(), keep=False)

    await db.write(work)
    return done


def by_invariant(problems: list[Problem]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for problem in problems:
        counts[problem.invariant] += 1
    return dict(sorted(counts.items()))
