"""The one pagination helper of the HTTP layer (contract §1): `page` and `page_size` query
parameters in, the `{"count", "next", "previous", "results"}` envelope out.

A list handler declares `page: PageNumber = 1, page_size: PageSize = DEFAULT_PAGE_SIZE`, passes
`page_request(page, page_size)` to its use case and answers `paginated(request, found, to_out)`.
"""

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

import msgspec
from litestar import Request
from litestar.params import QueryParameter

from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest

PageNumber = Annotated[
    int, QueryParameter(ge=1, description="1-based page number; past the last page: `404`.")
]
PageSize = Annotated[
    int,
    QueryParameter(
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
    ),
]


class Paginated[T](msgspec.Struct, frozen=True, kw_only=True):
    """One page of a list; `next` and `previous` are absolute URLs, `null` at either end."""

    count: int
    next: str | None
    previous: str | None
    results: list[T]


def page_request(page: int, page_size: int) -> PageRequest:
    return PageRequest(number=page, size=page_size)


def paginated[Item, Out](
    request: Request[Any, Any, Any], page: Page[Item], to_out: Callable[[Item], Out]
) -> Paginated[Out]:
    number = page.request.number
    return Paginated(
        count=page.total,
        next=_page_url(request, number + 1) if page.has_next else None,
        previous=_page_url(request, number - 1) if page.has_previous else None,
        results=[to_out(item) for item in page.items],
    )


def _page_url(request: Request[Any, Any, Any], number: int) -> str:
    """The request's URL with `page` replaced (dropped for the first page, as DRF does).

    The path is the one the client sent (`raw_path`): routing drops a trailing slash from `path`.
    Some servers leave the query string in `raw_path`, against the ASGI spec; it is cut off.
    """
    url = request.url
    raw_path: bytes | None = request.scope.get("raw_path")
    path = raw_path.partition(b"?")[0].decode("latin-1") if raw_path else url.path
    query = [(key, value) for key, value in parse_qsl(url.query, keep_blank_values=True) if key != "page"]
    if number > 1:
        query.append(("page", str(number)))
    return str(url.with_replacements(path=path, query=urlencode(query)))
