"""`python -m deptgraph.cli`: the `deptgraph` command."""

from deptgraph.cli import app

app()
