"""Where the commands write: `out` (standard output: what was asked for, for a person or a pipe)
and `console` (standard error: progress, notes and errors); `fail` says what went wrong and exits."""

from __future__ import annotations

import logging

import typer
from rich.console import Console

console = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("deptgraph")
out = Console(soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)
