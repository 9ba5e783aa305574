"""Parsed and validated documents, kept by their text: bounded in number and in bytes.

A client may send any number of distinct documents, each as long as the body limit allows; what is
kept for the next request that sends the same text must not grow with them. So only documents up
to `max_text` characters are kept, at most `max_entries` of them and `max_bytes` of their text,
the least recently used leaving first (a parsed document keeps its text for its locations, and
its size follows the text's). Larger documents are parsed and validated every time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension


@dataclass
class Kept:
    document: DocumentNode
    errors: list[GraphQLError] | None = None  # the validation errors, once validated


class Documents:
    """The documents one schema has parsed and validated."""

    def __init__(self, max_tokens: int, max_entries: int = 512, max_bytes: int = 4 << 20, max_text: int = 32_768):
        self.max_tokens = max_tokens
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_text = max_text
        self.size = 0
        self._kept: OrderedDict[str, Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, text: str) -> Kept | None:
        kept = self._kept.get(text)
        if kept is not None:
            self._kept.move_to_end(text)
        return kept

    def keep(self, text: str, document: DocumentNode) -> Kept | None:
        if len(text) > self.max_text:
            return None
        kept = self._kept.get(text)
        if kept is None:
            kept = self._kept[text] = Kept(document)
            self.size += len(text)
            while len(self._kept) > self.max_entries or self.size > self.max_bytes:
                self.size -= len(self._kept.popitem(last=False)[0])
        return kept

    def parsed(self, text: str) -> DocumentNode | None:
        """The document of `text`, parsed once (None when it is not GraphQL)."""
        kept = self.get(text)
        if kept is not None:
            return kept.document
        try:
            document = parse(text, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        self.keep(text, document)
        return document

    def extension(self) -> type[SchemaExtension]:
        """A schema extension that parses and validates through this store."""
        documents = self

        class DocumentCache(SchemaExtension):
            def on_parse(self) -> Iterator[None]:
                context = self.execution_context
                kept = documents.get(context.query) if context.query else None
                if kept is not None:
                    context.graphql_document = kept.document
                yield
                if kept is None and context.query and context.graphql_document is not None:
                    documents.keep(context.query, context.graphql_document)

            def on_validate(self) -> Iterator[None]:
                context = self.execution_context
                kept = documents.get(context.query) if context.query else None
                if kept is not None and kept.errors is not None and kept.document is context.graphql_document:
                    context.pre_execution_errors = list(kept.errors)
                yield
                if kept is not None and kept.errors is None and kept.document is context.graphql_document:
                    kept.errors = list(context.pre_execution_errors or [])

        return DocumentCache
