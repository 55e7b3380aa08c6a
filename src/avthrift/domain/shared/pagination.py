"""Paged, ordered and searched lists (contract §1): the value objects every list use case shares.

Pages are 1-based; a page past the last one is `InvalidPageError` ("Invalid page."), except that the
first page of an empty list exists. Ordering and search follow the reference's list conventions:
unknown ordering fields are ignored, search terms split on whitespace and commas (quotes keep a
phrase together) and every term must match.
"""

import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from avthrift.domain.shared.errors import NotFoundError, field_error

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_TERM = re.compile(r""""([^"]*)"|'([^']*)'|([^\s,]+)""")


class InvalidPageError(NotFoundError):
    code = "invalid_page"
    default_detail = "Invalid page."


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.number < 1:
            raise field_error("page", "Ensure this value is greater than or equal to 1.")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise field_error("page_size", f"Ensure this value is between 1 and {MAX_PAGE_SIZE}.")

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def check(self, total: int) -> None:
        """Raise `InvalidPageError` when this page lies past the end of `total` items."""
        if self.number > max(1, math.ceil(total / self.size)):
            raise InvalidPageError


FIRST_PAGE = PageRequest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Page[T]:
    """One page of a list: its items and the size of the whole list."""

    items: tuple[T, ...]
    total: int
    request: PageRequest

    @property
    def has_next(self) -> bool:
        return self.request.number * self.request.size < self.total

    @property
    def has_previous(self) -> bool:
        return self.request.number > 1

    def map[U](self, convert: Callable[[T], U]) -> "Page[U]":
        return Page(items=tuple(map(convert, self.items)), total=self.total, request=self.request)


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


def parse_ordering(
    raw: str | None, allowed: Collection[str], default: tuple[SortKey, ...], tiebreaker: str = "id"
) -> tuple[SortKey, ...]:
    """`"city,-id"` → sort keys. Fields outside `allowed` are ignored; with none left, `default`.

    `tiebreaker` is appended when absent so that pages never overlap or skip rows.
    """
    keys: list[SortKey] = []
    for part in (raw or "").split(","):
        name = part.strip()
        key = SortKey(name[1:], descending=True) if name.startswith("-") else SortKey(name)
        if key.field in allowed and all(key.field != seen.field for seen in keys):
            keys.append(key)
    ordering = tuple(keys) or default
    if all(key.field != tiebreaker for key in ordering):
        ordering = (*ordering, SortKey(tiebreaker))
    return ordering


def search_terms(raw: str | None) -> tuple[str, ...]:
    """Case-insensitive "contains" terms: split on whitespace and commas; quotes keep a phrase."""
    terms = (
        next(group for group in match.groups() if group is not None) for match in _TERM.finditer(raw or "")
    )
    return tuple(term.strip() for term in terms if term.strip())
