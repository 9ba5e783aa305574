"""Finishing an answer: the compiled query's result in the response's shape, within the caps.

The query returns the answer already shaped as the response (`graph.compiler`); finishing
follows the answer's shape to apply the few Python finishes (cursors, sentences built from
evidence), keeps the selection's order and counts the values, so that no answer grows past the
caps (`Limits`) nor runs past the request's deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from graph.compiled import AnswerShape, Compiled, Limits
from graph.cursors import encode_cursor
from graph.errors import OutOfTime, TooCostly
from graph.mapping import PagePart


@dataclass
class Finishing:
    """What finishing an answer found: values counted, and nulls where the schema wants a value."""

    limits: Limits
    deadline: float | None = None  # time.monotonic()
    values: int = 0
    size: int = 0
    nulls: list[str] = field(default_factory=list)

    def text(self, value: Any, path: str) -> None:
        """Count a scalar's size: texts by their length (lists of texts too), anything else as 8."""
        if isinstance(value, str):
            self.size += len(value) + 2
        elif isinstance(value, list):
            self.size += sum(len(v) + 3 if isinstance(v, str) else 8 for v in value)
        else:
            self.size += 8
        if self.size > self.limits.max_bytes:
            raise TooCostly(
                f"The answer grows past {self.limits.max_bytes:,} bytes (at {path}); ask for less, or page "
                "through long lists with their …Connection(first:, after:) fields.",
                limit=self.limits.max_bytes,
            )

    def count(self, n: int, path: str) -> None:
        self.values += n
        if self.values > self.limits.max_values:
            raise TooCostly(
                f"The answer holds more than {self.limits.max_values} values (at {path}); ask for less, "
                "or page through long lists with their …Connection(first:, after:) fields.",
                limit=self.limits.max_values,
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime("The request ran out of time while its answer was being built.")


def finish(compiled: Compiled, value: Any, params: dict[str, Any], finishing: Finishing) -> Any:
    """The root's answer in the response's shape and order, with Python finishes applied."""
    return _finish(compiled.shape, value, params, finishing)


def _finish(shape: AnswerShape, value: Any, params: dict[str, Any], ctx: Finishing) -> Any:
    kind = shape.kind
    if kind == "value":
        ctx.count(1, shape.path)
        if shape.finish is not None and value is not None:
            value = shape.finish(value, shape.lang)
        ctx.text(value, shape.path)
    elif value is None:
        pass
    elif kind == "object":
        ctx.count(1, shape.path)
        value = {child.key: _finish(child, value.get(child.key), params, ctx) for child in shape.children}
    elif kind == "list":
        if len(value) > ctx.limits.max_items:
            raise TooCostly(
                f"{shape.path} has more than {ctx.limits.max_items} items; read it page by page with its "
                "…Connection(first:, after:) field.",
                limit=ctx.limits.max_items,
            )
        ctx.count(len(value), shape.path)
        value = [{c.key: _finish(c, item.get(c.key), params, ctx) for c in shape.children} for item in value]
    else:
        value = _finish_page(shape, value, params, ctx)
    if value is None and not shape.nullable:
        ctx.nulls.append(shape.path)
    return value


def _finish_page(shape: AnswerShape, value: dict[str, Any], params: dict[str, Any], ctx: Finishing) -> dict[str, Any]:
    first = params[shape.first_slot]
    window = value["_page"]
    page = window[:first]
    ctx.count(len(page) + 1, shape.path)
    out: dict[str, Any] = {}
    for index, (key, part, nested) in enumerate(shape.parts):
        if part is PagePart.TOTAL_COUNT:
            out[key] = value[key]
        elif part is PagePart.NODES:
            out[key] = [{c.key: _finish(c, item[f"e{index}"].get(c.key), params, ctx) for c in nested} for item in page]
        elif part is PagePart.EDGES:
            out[key] = [_edge(item, index, nested, params, ctx) for item in page]
        elif part is PagePart.PAGE_INFO:
            out[key] = {
                sub.key: (
                    len(window) > first if sub.part is PagePart.HAS_NEXT_PAGE
                    else (encode_cursor(page[-1]["_cursor"]) if page else None) if sub.part is PagePart.END_CURSOR
                    else sub.finish(None, "") if sub.finish else None
                )
                for sub in nested
            }  # fmt: skip
        else:  # __typename
            out[key] = nested[0].finish(None, "") if nested and nested[0].finish else None
    return out


def _edge(
    item: dict[str, Any], index: int, nested: tuple[AnswerShape, ...], params: dict[str, Any], ctx: Finishing
) -> dict[str, Any]:
    edge: dict[str, Any] = {}
    for j, shape in enumerate(nested):
        if shape.kind == "object":
            node = item[f"e{index}_{j}"]
            edge[shape.key] = {c.key: _finish(c, node.get(c.key), params, ctx) for c in shape.children}
        elif shape.part is PagePart.CURSOR:
            edge[shape.key] = encode_cursor(item["_cursor"])
        else:
            edge[shape.key] = shape.finish(None, "") if shape.finish else None
    return edge
