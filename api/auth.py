"""Who is asking: bearer tokens and the roles viewer < editor < admin.

Reads are open unless DEPTGRAPH_READS_NEED_TOKEN is set; every mutation needs an editor.
A request that presents a token must present a good one, whatever it asks: a missing (where
one is needed), malformed, unknown or revoked token is UNAUTHENTICATED; a valid token whose
role is too low is FORBIDDEN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from graphql import GraphQLError

from api.errors import api_error
from graph.database import Database
from graph.errors import ErrorCode
from graph.tokens import TOKEN_PATTERN, Token, find_token


class Role(IntEnum):
    VIEWER = 1
    EDITOR = 2
    ADMIN = 3


@dataclass
class Auth:
    """The request's credentials, checked against the database at most once."""

    header: str | None
    database: Database
    reads_need_token: bool = False
    _checked: tuple[Token | None] | None = field(default=None, repr=False)

    async def principal(self) -> Token | None:
        """The token presented, checked; None when none was presented."""
        if self._checked is None:
            self._checked = (await self._check(),)
        return self._checked[0]

    async def _check(self) -> Token | None:
        if self.header is None:
            return None
        scheme, _, value = self.header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not TOKEN_PATTERN.match(value):
            raise unauthenticated("The Authorization header must be `Bearer dgt_…` with a deptgraph token.")
        token = await find_token(self.database, value)
        if token is None:
            raise unauthenticated("This token is unknown.")
        if not token.active:
            raise unauthenticated(f"This token ('{token.name}') was revoked on {token.revoked_at}.")
        return token

    async def require(self, role: Role, action: str) -> Token:
        token = await self.principal()
        if token is None:
            raise unauthenticated(f"{action} needs a token: send `Authorization: Bearer dgt_…`.")
        if Role[token.role.upper()] < role:
            raise api_error(
                f"{action} needs the {role.name.lower()} role; token '{token.name}' is a {token.role}.",
                ErrorCode.FORBIDDEN,
            )
        return token

    async def may_read(self) -> None:
        """Reads are open, but a token that is presented must be good."""
        if self.reads_need_token:
            await self.require(Role.VIEWER, "Reading")
        else:
            await self.principal()


def unauthenticated(message: str) -> GraphQLError:
    return api_error(message, ErrorCode.UNAUTHENTICATED)
