"""API tokens: stored only as SHA-256 hashes, with a name and a role.

Tokens are 256 random bits (`dgt_` + 43 URL-safe characters), so a plain SHA-256 is enough to
keep a stolen database from yielding usable tokens; no slow password hash is needed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from neo4j.exceptions import ConstraintError

from graph.database import Database

TOKEN_PATTERN = re.compile(r"^dgt_[A-Za-z0-9_-]{43}$")
ROLES = ("viewer", "editor", "admin")


class TokenError(ValueError):
    """A token cannot be created or revoked as asked."""


@dataclass(frozen=True)
class Token:
    name: str
    role: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(db: Database, name: str, role: str) -> str:
    """Store a new token's hash; return the token itself (it is shown once, never stored)."""
    if role not in ROLES:
        raise TokenError(f"Unknown role '{role}': choose one of {', '.join(ROLES)}.")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}", name):
        raise TokenError("A token name is 1–64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.")
    token = "dgt_" + secrets.token_urlsafe(32)
    try:
        await db.command(
            "CREATE (:ApiToken {name: $name, role: $role, hash: $hash, created_at: $at})",
            name=name,
            role=role,
            hash=token_hash(token),
            at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    except ConstraintError as exc:
        raise TokenError(f"A token named '{name}' exists already (revoked ones keep their name).") from exc
    return token


async def list_tokens(db: Database) -> list[Token]:
    rows = await db.read(
        "MATCH (t:ApiToken) RETURN t.name AS name, t.role AS role, t.created_at AS created_at, "
        "t.revoked_at AS revoked_at ORDER BY t.created_at, t.name"
    )
    return [Token(**row) for row in rows]


async def revoke_token(db: Database, name: str) -> Token:
    rows = await db.command(
        "MATCH (t:ApiToken {name: $name}) SET t.revoked_at = coalesce(t.revoked_at, $at) "
        "RETURN t.name AS name, t.role AS role, t.created_at AS created_at, t.revoked_at AS revoked_at",
        name=name,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if not rows:
        raise TokenError(f"No token is named '{name}'.")
    return Token(**rows[0])


async def find_token(db: Database, token: str) -> Token | None:
    """The token with this value, revoked or not; None if there is none."""
    rows = await db.read(
        "MATCH (t:ApiToken {hash: $hash}) RETURN t.name AS name, t.role AS role, "
        "t.created_at AS created_at, t.revoked_at AS revoked_at",
        hash=token_hash(token),
    )
    return Token(**rows[0]) if rows else None
