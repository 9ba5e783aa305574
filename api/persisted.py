"""Automatic persisted queries, as Apollo's clients send them.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query; if the
server knows the hash it runs the query stored under it, else it answers
`PERSISTED_QUERY_NOT_FOUND` and the client sends the query with its hash once, which the server
checks and keeps once it ran (`learn`). The operations of `queries/` are known from the start.
What clients register is held in a bounded, least-recently-used store: a client cannot fill the
memory with queries.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from cross_web import HTTPException


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class PersistedQueryNotFound(Exception):
    """A hash this server does not know (yet): the client sends the query with it once."""


class PersistedQueries:
    def __init__(self, known: Iterable[str] = (), max_entries: int = 1000, max_bytes: int = 4 << 20) -> None:
        self.pinned = {sha256(query): query for query in known}
        self.max_entries = max_entries
        self.max_bytes = max_bytes  # of query text: a few huge queries cannot fill the memory either
        self._learned: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0

    def lookup(self, digest: str) -> str | None:
        query = self.pinned.get(digest)
        if query is None:
            query = self._learned.get(digest)
            if query is not None:
                self._learned.move_to_end(digest)
        return query

    def learn(self, digest: str, query: str) -> None:
        if digest in self.pinned or len(query) > self.max_bytes // 16:
            return
        if digest not in self._learned:
            self._bytes += len(query)
        self._learned[digest] = query
        self._learned.move_to_end(digest)
        while len(self._learned) > self.max_entries or self._bytes > self.max_bytes:
            self._bytes -= len(self._learned.popitem(last=False)[1])

    def resolve(self, query: str | None, persisted: Any) -> tuple[str, str | None]:
        """The query an `extensions.persistedQuery` stands for, and the hash to `learn` it under
        once it ran (None when it came by hash alone). A malformed extension, or a hash the query
        sent with it does not have, is the client's mistake (400)."""
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str) or persisted.get("version") != 1:
            raise HTTPException(400, 'extensions.persistedQuery must be {"version": 1, "sha256Hash": …}.')
        digest = digest.lower()
        if query is None:
            known = self.lookup(digest)
            if known is None:
                raise PersistedQueryNotFound(digest)
            return known, None
        if sha256(query) != digest:
            raise HTTPException(400, "provided sha does not match query")
        return query, digest
