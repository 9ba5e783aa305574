"""What every resolver may use: the database, the reader's language, the request id."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from graph.database import Database


@dataclass
class Context:
    request: Request
    response: Response
    database: Database
    request_id: str
