"""The `deptgraph` command: run the service, manage its local Neo4j, seed and export knowledge.

Each group of commands is a module of its own: `local_neo4j` (`deptgraph neo4j …`), `knowledge`
(seed files and the graph), `review` (what waits for a person), `tokens` (`deptgraph token …`)
and `service` (`serve`, `schema`); `terminal` is where they all write.
"""

from __future__ import annotations

from typing import Annotated

import typer

from deptgraph import __version__
from deptgraph.cli import knowledge, local_neo4j, review, service, tokens
from deptgraph.cli.terminal import out

app = typer.Typer(
    name="deptgraph",
    help=(
        "deptgraph: a GraphQL knowledge graph of how a company's departments work together.\n\n"
        "Quick start: `deptgraph serve` provisions a local Neo4j (first time only: Java 17+ "
        "and Maven fetch it from Maven Central), seeds it and serves GraphiQL at "
        "http://127.0.0.1:8000/graphql.\n\n"
        "Configuration is by environment variables (see README): set NEO4J_URI, NEO4J_USER "
        "and NEO4J_PASSWORD to use an existing Neo4j instead of the local one."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"deptgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    pass


# In the order `deptgraph --help` lists them (the groups after the commands).
app.command()(knowledge.seed)
app.command()(knowledge.validate)
app.command()(knowledge.cite)
app.command()(knowledge.export)
app.command()(knowledge.check)
app.command()(review.stale)
app.command()(review.questions)
app.command()(service.schema)
app.command()(knowledge.generate)
app.command()(service.serve)
app.add_typer(local_neo4j.app, name="neo4j")
app.add_typer(tokens.app, name="token")
