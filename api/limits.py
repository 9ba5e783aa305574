"""Validation rules against hostile queries that the standard limits (depth, aliases, tokens)
do not catch: directive overloading, and the same field asked for hundreds of times."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphql import DirectiveNode, FieldNode, GraphQLError, SelectionSetNode, ValidationContext, ValidationRule


def max_directives(limit: int) -> type[ValidationRule]:
    """A rule: at most `limit` directives in a document (GraphQL Cop's "directive overloading")."""

    class MaxDirectives(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            self.count += 1
            if self.count == limit + 1:
                self.report_error(
                    GraphQLError(f"The query uses more than {limit} directives; at most {limit} are allowed.", node)
                )

    return MaxDirectives


def max_repeats(limit: int) -> type[ValidationRule]:
    """A rule: no field repeated more than `limit` times in one selection ("field duplication")."""

    class MaxRepeatedFields(ValidationRule):
        def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> None:
            keys = Counter(
                (selection.alias or selection.name).value
                for selection in node.selections
                if isinstance(selection, FieldNode)
            )
            for key, count in keys.items():
                if count > limit:
                    message = f"'{key}' is selected {count} times in one place; at most {limit} are allowed."
                    self.report_error(GraphQLError(message, node))

    return MaxRepeatedFields
