"""The shared list value objects: pages, ordering and search terms (contract §1)."""

import pytest

from avthrift.domain.shared.errors import InvalidInputError
from avthrift.domain.shared.pagination import (
    InvalidPageError,
    Page,
    PageRequest,
    SortKey,
    parse_ordering,
    search_terms,
)

DEFAULT = (SortKey("updated_at", descending=True), SortKey("id"))
ALLOWED = {"updated_at", "id", "city", "state"}


@pytest.mark.parametrize(
    ("number", "size", "field"), [(0, 20, "page"), (1, 0, "page_size"), (1, 101, "page_size")]
)
def test_page_requests_stay_in_bounds(number: int, size: int, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        PageRequest(number=number, size=size)
    assert caught.value.extra["invalid_params"][0]["name"] == field


@pytest.mark.parametrize(
    ("number", "size", "total", "valid"),
    [
        (1, 20, 0, True),
        (2, 20, 0, False),
        (2, 20, 21, True),
        (2, 20, 20, False),
        (3, 1, 3, True),
        (4, 1, 3, False),
    ],
)
def test_a_page_past_the_end_is_invalid(number: int, size: int, total: int, valid: bool) -> None:
    request = PageRequest(number=number, size=size)
    if valid:
        request.check(total)
    else:
        with pytest.raises(InvalidPageError) as caught:
            request.check(total)
        assert (caught.value.code, caught.value.detail) == ("invalid_page", "Invalid page.")


def test_a_page_knows_its_neighbours_and_maps_its_items() -> None:
    page = Page(items=(1, 2), total=5, request=PageRequest(number=2, size=2))
    assert (page.has_previous, page.has_next, page.request.offset) == (True, True, 2)
    mapped = page.map(str)
    assert (mapped.items, mapped.total, mapped.request) == (("1", "2"), 5, page.request)
    assert not Page(items=(5,), total=5, request=PageRequest(number=3, size=2)).has_next


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, DEFAULT),
        ("", DEFAULT),
        ("city", (SortKey("city"), SortKey("id"))),
        ("-state, city", (SortKey("state", descending=True), SortKey("city"), SortKey("id"))),
        ("-id,city", (SortKey("id", descending=True), SortKey("city"))),
        ("title,-password_hash", DEFAULT),
        ("city,-city", (SortKey("city"), SortKey("id"))),
        ("--city", DEFAULT),
    ],
)
def test_ordering_keeps_whitelisted_fields_and_ends_with_the_id(
    raw: str | None, expected: tuple[SortKey, ...]
) -> None:
    assert parse_ordering(raw, ALLOWED, DEFAULT) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ()),
        ("  ", ()),
        ("Lagos", ("Lagos",)),
        ("marina  lagos", ("marina", "lagos")),
        ("marina,lagos,,", ("marina", "lagos")),
        ('"ring road" ibadan', ("ring road", "ibadan")),
        ("'ring road',ibadan", ("ring road", "ibadan")),
        ('""', ()),
    ],
)
def test_search_terms_split_on_spaces_and_commas(raw: str | None, expected: tuple[str, ...]) -> None:
    assert search_terms(raw) == expected
