"""`deptgraph token …`: the API tokens of the GraphQL endpoint (only a hash of each is stored)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from deptgraph.cli.local_neo4j import with_database
from deptgraph.cli.terminal import console, fail, out
from deptgraph.settings import settings_from_environment
from graph.database import Database

app = typer.Typer(
    help=(
        "API tokens for the GraphQL endpoint (`Authorization: Bearer dgt_…`). Roles: viewer (reads, "
        "when DEPTGRAPH_READS_NEED_TOKEN is on), editor (also mutations and the audit trail), admin. "
        "Only a hash of each token is stored."
    ),
    no_args_is_help=True,
)


class TokenRole(StrEnum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


@app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses it, e.g. `hr-portal` or `an@example.com`.")],
    role: Annotated[TokenRole, typer.Option("--role", help="What it may do.")] = TokenRole.viewer,
) -> None:
    """Create a token and print it once: it cannot be shown again."""
    from graph.schema import ensure_schema
    from graph.tokens import TokenError, create_token

    async def work(db: Database) -> str:
        await ensure_schema(db)
        return await create_token(db, name, role.value)

    try:
        token = with_database(settings_from_environment(), work)
    except TokenError as exc:
        raise fail(str(exc)) from exc
    console.print(f"Token '{name}' ({role.value}) created. Keep it safe; it is not shown again:", highlight=False)
    out.print(token, highlight=False)


@app.command("list")
def token_list() -> None:
    """List tokens: name, role, created, revoked (never the tokens themselves)."""
    from graph.tokens import list_tokens

    tokens = with_database(settings_from_environment(), list_tokens)
    table = Table("name", "role", "created", "revoked")
    for token in tokens:
        table.add_row(token.name, token.role, token.created_at, token.revoked_at or "·")
    out.print(table if tokens else "No tokens yet: `deptgraph token create --name NAME --role editor`.")


@app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token at once; requests that use it get UNAUTHENTICATED."""
    from graph.tokens import TokenError, revoke_token

    try:
        token = with_database(settings_from_environment(), lambda db: revoke_token(db, name))
    except TokenError as exc:
        raise fail(str(exc)) from exc
    out.print(f"Token '{token.name}' is revoked (since {token.revoked_at}).")
