"""Read-your-writes bookmarks: handed out signed, and only signed ones are ever waited for.

A mutation's response carries the Neo4j bookmark of its transaction (`extensions.bookmark`, the
`Deptgraph-Bookmark` header); sent back, the request waits until Neo4j's state includes it. Neo4j
takes any bookmark it can parse, and waits for one from the future until its own timeout, so a
made-up bookmark would cost everyone: it would hold a Neo4j connection, and what Neo4j answered
to a mangled one would enter the bookmarks of later requests.

So deptgraph signs what it hands out — `<neo4j bookmark>.<HMAC-SHA256, 128 bits>` under a key the
deployment's processes share (`graph.keys`) and bound to the database — and refuses, with 400 and
before any Neo4j work, a value that is not one it signed. A signed bookmark names a transaction
that committed, so Neo4j reaches it (at once, or as soon as a cluster member catches up); what
a caller sends is used for that caller's request only (`graph.database`).
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import hashlib
import hmac
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager

from graph.failures import DatabaseUnavailable

HEADER = "deptgraph-bookmark"
MAX_HEADER = 4096
MAX_VALUES = 16
_VALUE = re.compile(r"^([A-Za-z0-9:+/=_-]{1,512})\.([A-Za-z0-9_-]{22})$")
REFUSED = (
    "The Deptgraph-Bookmark header must be a value this deployment gave (a mutation's extensions.bookmark or "
    "Deptgraph-Bookmark header, or several joined by commas); drop it and send the request without it."
)
# After a signature did not check out, the key is read again from Neo4j at most this often: the
# deployment's key may have been replaced (a wiped graph) while this process kept the old one.
RELOAD_SECONDS = 10.0
KEY_WAIT = 10.0  # seconds to read (or draw) the key


class BadBookmark(ValueError):
    """A Deptgraph-Bookmark header this deployment did not give."""


class Bookmarks:
    """Signs the bookmarks of this process's writes and opens the ones callers send back."""

    def __init__(
        self, database: str, load_key: Callable[[], Coroutine[None, None, bytes]], key: bytes | None = None
    ) -> None:
        self._context = b"deptgraph-bookmark\x00" + database.encode() + b"\x00"
        self._load_key = load_key
        self._fixed = key is not None  # from the settings: never read from Neo4j
        self._key = key
        self._loaded_at = time.monotonic() if key is not None else -RELOAD_SECONDS
        self._loading: asyncio.Lock | None = None

    async def ready(self) -> None:
        """Read the key now (at start), so that checking a bookmark never waits for Neo4j."""
        await self._key_now()

    async def _key_now(self, reload: bool = False) -> bytes:
        if self._key is not None and not reload:
            return self._key
        if self._loading is None:
            self._loading = asyncio.Lock()
        async with self._loading:
            if self._key is None or (reload and time.monotonic() - self._loaded_at >= RELOAD_SECONDS):
                # Outside the request that needed it: not its round trip, not its bookmark.
                loading = asyncio.get_running_loop().create_task(self._load_key(), context=contextvars.Context())
                try:
                    self._key = await asyncio.wait_for(loading, KEY_WAIT)
                except TimeoutError as exc:
                    raise DatabaseUnavailable(f"Neo4j did not give the bookmark key within {KEY_WAIT:g}s") from exc
                self._loaded_at = time.monotonic()
            loaded: bytes = self._key
        return loaded

    def _sign(self, key: bytes, raw: str) -> str:
        digest = hmac.new(key, self._context + raw.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    async def seal(self, raw: Iterable[str]) -> str:
        """The header value for Neo4j bookmarks this process's writes produced."""
        key = await self._key_now()
        return ",".join(f"{value}.{self._sign(key, value)}" for value in raw)

    async def open(self, header: str | None) -> tuple[str, ...]:
        """The Neo4j bookmarks of a header this deployment gave; BadBookmark for anything else."""
        if not header:
            return ()
        parts = [value.strip() for value in header.split(",")]
        if len(header) > MAX_HEADER or len(parts) > MAX_VALUES or not all(parts):
            raise BadBookmark(REFUSED)
        matches = [_VALUE.match(value) for value in parts]
        if not all(matches):
            raise BadBookmark(REFUSED)
        signed = [(m.group(1), m.group(2)) for m in matches if m is not None]
        key = await self._key_now()
        if not self._valid(key, signed):
            if self._fixed:
                raise BadBookmark(REFUSED)
            newer = await self._key_now(reload=True)
            if newer == key or not self._valid(newer, signed):
                raise BadBookmark(REFUSED)
        return tuple(dict.fromkeys(raw for raw, _ in signed))

    def _valid(self, key: bytes, signed: list[tuple[str, str]]) -> bool:
        return all(hmac.compare_digest(self._sign(key, raw), signature) for raw, signature in signed)


class WaitLimits:
    """How many requests may wait for a bookmark at once: per client, and in this process.

    Waiting happens before the request takes any of the slots plain reads use; these limits keep
    one client (or many) from turning waits into a queue that others stand in."""

    def __init__(self, per_client: int = 2, per_process: int = 8) -> None:
        self.per_client = per_client
        self.per_process = per_process
        self._clients: Counter[str] = Counter()
        self._total = 0

    @asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[bool]:
        """Yields whether this client may wait now (False: too many waits, answer at once)."""
        if self._clients[client] >= self.per_client or self._total >= self.per_process:
            yield False
            return
        self._clients[client] += 1
        self._total += 1
        try:
            yield True
        finally:
            self._total -= 1
            self._clients[client] -= 1
            if not self._clients[client]:
                del self._clients[client]
