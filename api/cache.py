"""The response cache: the answer to a read-only request, served again while the graph is the same.

An entry is keyed by everything the answer depends on — the document, the operation name, the
variables, the language and the caller's role — and stamped with the graph's (epoch, version) as
read *before* the answer was computed (`graph.version`). It is served only to a request whose own
fresh check reads the same stamp: a write anywhere, through any process, changes the stamp in
its own transaction, and nothing computed before it is served after it. Only answers without
errors are kept; the cache holds at most `max_bytes` of answers, the least recently used leaving
first, and forgets everything when the graph moves on.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

import orjson

from graph.version import Stamp


def request_key(query: str, operation: str | None, variables: dict[str, Any] | None, lang: str, role: str) -> str:
    """A digest of what an answer depends on."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (query.encode(), (operation or "").encode(), orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS),
                 lang.encode(), role.encode()):  # fmt: skip
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def etag(stamp: Stamp, key: str) -> str:
    """A weak validator for an answer: a digest of the graph's state and the request, which tells
    a client nothing but whether the answer changed (not how many writes the graph has seen)."""
    digest = hashlib.blake2b(f"{stamp.epoch}|{stamp.version}|{key}".encode(), digest_size=15).hexdigest()
    return f'W/"{digest}"'


def etag_matches(header: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names `tag` (weak comparison, lists included). `*` matches
    nothing: whether an answer exists for this caller is known only once the request ran."""
    if not header:
        return False
    opaque = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in header.split(","))


class ResponseCache:
    """Encoded answers by request key, for the current stamp only."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.stamp: Stamp | None = None
        self.size = 0
        self._entries: OrderedDict[str, bytes] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _current(self, stamp: Stamp) -> bool:
        """Move on to `stamp` if it is newer than what is held; False for an older one (a request
        that read its stamp before a write others have seen since)."""
        held = self.stamp
        if held == stamp:
            return True
        if held is not None and held.epoch == stamp.epoch and stamp.version < held.version:
            return False
        self._entries.clear()
        self.size = 0
        self.stamp = stamp
        return True

    def get(self, key: str, stamp: Stamp) -> bytes | None:
        if not self._current(stamp):
            return None
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def put(self, key: str, stamp: Stamp, body: bytes) -> None:
        if len(body) > self.max_bytes // 8 or not self._current(stamp):
            return  # one answer never takes much of the cache
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= len(old)
        self._entries[key] = body
        self.size += len(body)
        while self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted)
