"""`/api/v1/customer/` through the ASGI app (reference §1.4, contract §1 and §4)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.entrypoints.http.app import create_app
from tests.conftest import (
    BASE_URL,
    NewAccount,
    SettingsFactory,
    bearer,
    register,
    relaxed_rates,
    sign_in,
    unique_phone,
)

type Client = AsyncTestClient[Litestar]

PROFILE = "/api/v1/customer/profile/"
ADDRESSES = "/api/v1/customer/addresses/"
NOT_FOUND = {
    "type": "urn:avthrift:problem:not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "Not found.",
    "code": "not_found",
}
HOME = {"name": "Home", "addr1": "1 Marina Rd", "city": "Lagos", "state": "LA", "postal_code": "101001"}


def address_url(address_id: int) -> str:
    return f"{ADDRESSES}{address_id}/"


@dataclass(frozen=True)
class Customer:
    id: int
    headers: dict[str, str]


@pytest.fixture
async def api(settings_factory: SettingsFactory) -> AsyncIterator[Client]:
    rates = relaxed_rates(addresses="10000/min", addresses_write="10000/min")
    async with AsyncTestClient(
        create_app(settings_factory(THROTTLE_RATES=rates)), base_url=BASE_URL
    ) as client:
        yield client


async def sign_up(api: Client, phone: str | None = None) -> Customer:
    account = NewAccount.unique()
    user = await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])
    if phone is not None:
        response = await api.patch("/api/v1/account/profile/", json={"phone": phone}, headers=headers)
        assert response.status_code == 200, response.text
    return Customer(user["id"], headers)


async def add(api: Client, customer: Customer, **fields: Any) -> dict[str, Any]:
    response = await api.post(ADDRESSES, json=HOME | fields, headers=customer.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def reasons(response: Any) -> dict[str, str]:
    return {param["name"]: param["reason"] for param in response.json()["invalid_params"]}


# --- addresses: CRUD --------------------------------------------------------------------------


async def test_create_answers_201_with_the_stored_address(api: Client) -> None:
    ann = await sign_up(api)
    response = await api.post(
        ADDRESSES,
        json={"addr1": " 1 Marina Rd ", "city": "Lagos", "phone": " +2348012345678 ", "state": ""},
        headers=ann.headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "",
        "addr1": "1 Marina Rd",
        "addr2": "",
        "city": "Lagos",
        "state": None,
        "postal_code": None,
        "country_code": "NG",
        "phone": "+2348012345678",
        "effective_contact_phone": "+2348012345678",
    }
    read = await api.get(address_url(body["id"]), headers=ann.headers)
    assert (read.status_code, read.json()) == (200, body)


async def test_every_path_answers_with_and_without_the_trailing_slash(api: Client) -> None:
    ann = await sign_up(api)
    created = await add(api, ann)
    for path in (PROFILE, ADDRESSES, address_url(created["id"])):
        assert (await api.get(path, headers=ann.headers)).status_code == 200
        assert (await api.get(path.rstrip("/"), headers=ann.headers)).status_code == 200


async def test_put_needs_addr1_and_city_and_keeps_what_it_is_not_given(api: Client) -> None:
    ann = await sign_up(api)
    created = await add(api, ann, phone="+2348012345678")
    missing = await api.put(address_url(created["id"]), json={"addr1": "2 Broad St"}, headers=ann.headers)
    assert missing.status_code == 400
    assert missing.json()["code"] == "validation_error"
    assert reasons(missing) == {"city": "Object missing required field `city`"}
    response = await api.put(
        address_url(created["id"]), json={"addr1": "2 Broad St", "city": "Ikeja"}, headers=ann.headers
    )
    assert response.status_code == 200
    assert response.json() == created | {"addr1": "2 Broad St", "city": "Ikeja"}


async def test_patch_changes_only_the_given_fields_and_null_clears(api: Client) -> None:
    ann = await sign_up(api)
    created = await add(api, ann, addr2="Flat 3")
    response = await api.patch(
        address_url(created["id"]),
        json={"state": None, "postal_code": None, "name": "Work"},
        headers=ann.headers,
    )
    assert response.status_code == 200
    assert response.json() == created | {"state": None, "postal_code": None, "name": "Work"}
    assert (await api.get(address_url(created["id"]), headers=ann.headers)).json() == response.json()


async def test_delete_answers_204_and_the_address_is_gone(api: Client) -> None:
    ann = await sign_up(api)
    created = await add(api, ann)
    response = await api.delete(address_url(created["id"]), headers=ann.headers)
    assert (response.status_code, response.content) == (204, b"")
    gone = await api.get(address_url(created["id"]), headers=ann.headers)
    assert (gone.status_code, gone.json()) == (404, NOT_FOUND)
    again = await api.delete(address_url(created["id"]), headers=ann.headers)
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


# --- addresses: validation --------------------------------------------------------------------


async def test_field_rules_answer_the_reference_messages(api: Client) -> None:
    ann = await sign_up(api)
    response = await api.post(
        ADDRESSES,
        json={"addr1": "   ", "city": "Lagos", "postal_code": "10/01", "country_code": "ng", "phone": "0801"},
        headers=ann.headers,
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["detail"]) == ("invalid", "Some fields are invalid.")
    assert body["invalid_params"] == [
        {"name": "addr1", "reason": "This field may not be blank."},
        {"name": "postal_code", "reason": "Use standard alphanumeric postal/zip code"},
        {"name": "country_code", "reason": "Use ISO 3166-1 alpha-2 country code (e.g., US)"},
        {"name": "phone", "reason": "Use E.164 format (e.g., +14155552671)"},
    ]
    one = await api.post(ADDRESSES, json=HOME | {"phone": "+0123"}, headers=ann.headers)
    assert one.json()["detail"] == "Use E.164 format (e.g., +14155552671)"
    listed = await api.get(ADDRESSES, headers=ann.headers)
    assert listed.json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"city": "Lagos"}, "addr1"),
        (HOME | {"addr1": 5}, "addr1"),
        (HOME | {"city": "x" * 81}, "city"),
        (HOME | {"country_code": "NGA"}, "country_code"),
        (HOME | {"is_default": True}, "is_default"),
        (HOME | {"user": 1}, "user"),
    ],
)
async def test_schema_errors_name_the_field(api: Client, body: dict[str, Any], field: str) -> None:
    ann = await sign_up(api)
    response = await api.post(ADDRESSES, json=body, headers=ann.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in reasons(response)


async def test_json_values_of_the_wrong_type_are_not_coerced(api: Client) -> None:
    ann = await sign_up(api)
    created = await add(api, ann)
    for body, field in [
        ({"sms_opt_in": 0}, "sms_opt_in"),
        ({"email_opt_in": "true"}, "email_opt_in"),
        ({"shipping_address": str(created["id"])}, "shipping_address"),
        ({"billing_address": float(created["id"])}, "billing_address"),
    ]:
        response = await api.patch(PROFILE, json=body, headers=ann.headers)
        assert response.status_code == 400, body
        assert list(reasons(response)) == [field]
    profile = (await api.get(PROFILE, headers=ann.headers)).json()
    assert (profile["sms_opt_in"], profile["email_opt_in"], profile["shipping_address"]) == (
        False,
        False,
        None,
    )


async def test_a_duplicate_address_is_409_address_exists(api: Client) -> None:
    ann, bob = await sign_up(api), await sign_up(api)
    await add(api, ann)
    response = await api.post(
        ADDRESSES, json=HOME | {"name": "Again", "addr1": " 1 Marina Rd"}, headers=ann.headers
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["status"]) == ("address_exists", 409)
    await add(api, bob)
    await add(api, ann, postal_code=None)
    await add(api, ann, postal_code=None)
    assert (await api.get(ADDRESSES, headers=ann.headers)).json()["count"] == 3


async def test_an_update_into_a_duplicate_is_409(api: Client) -> None:
    ann = await sign_up(api)
    await add(api, ann)
    other = await add(api, ann, addr1="2 Broad St")
    response = await api.patch(address_url(other["id"]), json={"addr1": "1 Marina Rd"}, headers=ann.headers)
    assert (response.status_code, response.json()["code"]) == (409, "address_exists")
    assert (await api.get(address_url(other["id"]), headers=ann.headers)).json() == other


# --- addresses: list --------------------------------------------------------------------------


async def test_the_list_is_paginated_with_absolute_links(api: Client) -> None:
    ann, bob = await sign_up(api), await sign_up(api)
    created = [await add(api, ann, addr1=f"{number} Marina Rd") for number in range(1, 4)]
    await add(api, bob)
    first = await api.get(ADDRESSES, params={"page_size": 2, "ordering": "id"}, headers=ann.headers)
    assert first.status_code == 200
    assert first.json() == {
        "count": 3,
        "next": f"{BASE_URL}{ADDRESSES}?page_size=2&ordering=id&page=2",
        "previous": None,
        "results": created[:2],
    }
    second = await api.get(first.json()["next"], headers=ann.headers)
    assert second.json() == {
        "count": 3,
        "next": None,
        "previous": f"{BASE_URL}{ADDRESSES}?page_size=2&ordering=id",
        "results": created[2:],
    }
    past = await api.get(ADDRESSES, params={"page": 3, "page_size": 2}, headers=ann.headers)
    assert past.status_code == 404
    assert (past.json()["detail"], past.json()["code"]) == ("Invalid page.", "invalid_page")


async def test_the_default_page_is_20_newest_change_first(api: Client) -> None:
    ann = await sign_up(api)
    created = [await add(api, ann, addr1=f"{number} Marina Rd") for number in range(21)]
    await api.patch(address_url(created[0]["id"]), json={"name": "Touched"}, headers=ann.headers)
    body = (await api.get(ADDRESSES, headers=ann.headers)).json()
    assert (body["count"], len(body["results"])) == (21, 20)
    assert [item["id"] for item in body["results"][:2]] == [created[0]["id"], created[20]["id"]]
    assert body["next"] == f"{BASE_URL}{ADDRESSES}?page=2"
    empty = await api.get(ADDRESSES, headers=(await sign_up(api)).headers)
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("params", [{"page": 0}, {"page": "x"}, {"page_size": 0}, {"page_size": 101}])
async def test_bad_paging_parameters_are_400(api: Client, params: dict[str, Any]) -> None:
    ann = await sign_up(api)
    response = await api.get(ADDRESSES, params=params, headers=ann.headers)
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")


async def test_filters_search_and_ordering(api: Client) -> None:
    ann = await sign_up(api)
    home = await add(api, ann)
    office = await add(api, ann, name="Office", addr1="9 Broad St", state=None, postal_code="101002")
    accra = await add(api, ann, name="Cousin", addr1="5 Osu Ave", city="Accra", state="AA", country_code="GH")

    async def ids(**params: Any) -> list[int]:
        response = await api.get(ADDRESSES, params=params, headers=ann.headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["results"]]

    assert await ids() == [accra["id"], office["id"], home["id"]]
    assert await ids(city="Lagos", ordering="id") == [home["id"], office["id"]]
    assert await ids(state="AA") == [accra["id"]]
    assert await ids(country_code="GH") == [accra["id"]]
    assert await ids(country_code="gh") == []
    assert await ids(search="marina") == [home["id"]]
    assert await ids(search="LAGOS 101002") == [office["id"]]
    assert await ids(search="broad,office") == [office["id"]]
    assert await ids(search='"osu ave" accra') == [accra["id"]]
    assert await ids(search="marina broad") == []
    assert await ids(ordering="city,-id") == [accra["id"], office["id"], home["id"]]
    assert await ids(ordering="-state") == [office["id"], home["id"], accra["id"]]
    assert await ids(ordering="name") == [accra["id"], office["id"], home["id"]]


# --- profile ----------------------------------------------------------------------------------


async def test_the_profile_is_created_on_first_read(api: Client) -> None:
    ann = await sign_up(api)
    first = await api.get(PROFILE, headers=ann.headers)
    assert first.status_code == 200
    assert first.json() == {
        "id": first.json()["id"],
        "email_opt_in": False,
        "sms_opt_in": False,
        "shipping_address": None,
        "billing_address": None,
        "shipping_contact": None,
    }
    assert (await api.get(PROFILE, headers=ann.headers)).json() == first.json()


async def test_put_and_patch_set_only_the_given_fields(api: Client) -> None:
    ann = await sign_up(api)
    home, office = await add(api, ann), await add(api, ann, addr1="9 Broad St")
    put = await api.put(
        PROFILE, json={"email_opt_in": True, "shipping_address": home["id"]}, headers=ann.headers
    )
    assert put.status_code == 200
    assert put.json() | {"id": 0} == {
        "id": 0,
        "email_opt_in": True,
        "sms_opt_in": False,
        "shipping_address": home["id"],
        "billing_address": None,
        "shipping_contact": None,
    }
    patch = await api.patch(
        PROFILE, json={"billing_address": office["id"], "sms_opt_in": True}, headers=ann.headers
    )
    assert patch.json() == put.json() | {"billing_address": office["id"], "sms_opt_in": True}
    cleared = await api.patch(PROFILE, json={"shipping_address": None}, headers=ann.headers)
    assert cleared.json() == patch.json() | {"shipping_address": None}
    assert (await api.get(PROFILE, headers=ann.headers)).json() == cleared.json()


async def test_deleting_a_default_address_unsets_it(api: Client) -> None:
    ann = await sign_up(api)
    home, office = await add(api, ann), await add(api, ann, addr1="9 Broad St")
    await api.patch(
        PROFILE, json={"shipping_address": home["id"], "billing_address": home["id"]}, headers=ann.headers
    )
    await api.patch(PROFILE, json={"billing_address": office["id"]}, headers=ann.headers)
    assert (await api.delete(address_url(home["id"]), headers=ann.headers)).status_code == 204
    profile = (await api.get(PROFILE, headers=ann.headers)).json()
    assert (profile["shipping_address"], profile["billing_address"]) == (None, office["id"])


async def test_an_unknown_default_address_is_400(api: Client) -> None:
    ann = await sign_up(api)
    response = await api.patch(PROFILE, json={"billing_address": 987654321}, headers=ann.headers)
    assert response.status_code == 400
    assert response.json() == {
        "type": "urn:avthrift:problem:invalid_address",
        "title": "Bad Request",
        "status": 400,
        "detail": 'Invalid pk "987654321" - object does not exist.',
        "code": "invalid_address",
        "invalid_params": [
            {"name": "billing_address", "reason": 'Invalid pk "987654321" - object does not exist.'}
        ],
    }


# --- contact phones ---------------------------------------------------------------------------


async def test_contact_phones_fall_back_to_the_account_phone_without_a_profile(api: Client) -> None:
    phone = unique_phone()
    ann = await sign_up(api, phone=phone)
    created = await add(api, ann)  # no profile row exists yet (reference §7.2 #24)
    assert created["effective_contact_phone"] == phone
    assert (await api.get(address_url(created["id"]), headers=ann.headers)).json()[
        "effective_contact_phone"
    ] == phone
    listed = (await api.get(ADDRESSES, headers=ann.headers)).json()["results"]
    assert [item["effective_contact_phone"] for item in listed] == [phone]
    assert (await api.get(PROFILE, headers=ann.headers)).json()["shipping_contact"] == phone


async def test_the_address_phone_wins_over_the_account_phone(api: Client) -> None:
    phone = unique_phone()
    ann, bob = await sign_up(api, phone=phone), await sign_up(api)
    silent = await add(api, ann)
    loud = await add(api, ann, addr1="9 Broad St", phone="+2348099999999")
    assert loud["effective_contact_phone"] == "+2348099999999"
    shipping = await api.patch(PROFILE, json={"shipping_address": silent["id"]}, headers=ann.headers)
    assert shipping.json()["shipping_contact"] == phone
    shipping = await api.patch(PROFILE, json={"shipping_address": loud["id"]}, headers=ann.headers)
    assert shipping.json()["shipping_contact"] == "+2348099999999"
    bobs = await add(api, bob)
    assert bobs["effective_contact_phone"] is None
    assert (await api.get(PROFILE, headers=bob.headers)).json()["shipping_contact"] is None


# --- security walk ----------------------------------------------------------------------------


async def test_someone_elses_address_is_404_on_every_route(api: Client) -> None:
    ann, bob = await sign_up(api), await sign_up(api)
    anns = await add(api, ann, phone="+2348012345678")
    await add(api, bob, addr1="7 Other St", city="Abuja")
    url = address_url(anns["id"])
    missing_url = address_url(anns["id"] + 100_000)
    valid = {"addr1": "1 Hijack Rd", "city": "Lagos"}
    for method, body in [("GET", None), ("PUT", valid), ("PATCH", {"name": "Hijacked"}), ("DELETE", None)]:
        for target in (url, missing_url):
            response = await api.request(method, target, json=body, headers=bob.headers)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, target)
    bobs_list = (await api.get(ADDRESSES, headers=bob.headers)).json()
    assert anns["id"] not in [item["id"] for item in bobs_list["results"]]
    assert bobs_list["count"] == 1
    for params in ({"search": "Marina"}, {"city": "Lagos", "country_code": "NG"}):
        assert (await api.get(ADDRESSES, params=params, headers=bob.headers)).json()["count"] == 0
    assert (await api.get(url, headers=ann.headers)).json() == anns


async def test_a_default_address_of_someone_else_looks_like_a_missing_one(api: Client) -> None:
    ann, bob = await sign_up(api), await sign_up(api)
    anns = await add(api, ann)
    for field in ("shipping_address", "billing_address"):
        for method in ("PUT", "PATCH"):
            foreign = await api.request(method, PROFILE, json={field: anns["id"]}, headers=bob.headers)
            assert foreign.status_code == 400
            assert foreign.json()["code"] == "invalid_address"
    foreign = await api.patch(PROFILE, json={"shipping_address": anns["id"]}, headers=bob.headers)
    assert (await api.delete(address_url(anns["id"]), headers=ann.headers)).status_code == 204
    missing = await api.patch(PROFILE, json={"shipping_address": anns["id"]}, headers=bob.headers)
    assert (missing.status_code, missing.content) == (foreign.status_code, foreign.content)
    assert (await api.get(PROFILE, headers=bob.headers)).json()["shipping_address"] is None


ROUTES = [
    ("GET", PROFILE),
    ("PUT", PROFILE),
    ("PATCH", PROFILE),
    ("GET", ADDRESSES),
    ("POST", ADDRESSES),
    ("GET", address_url(1)),
    ("PUT", address_url(1)),
    ("PATCH", address_url(1)),
    ("DELETE", address_url(1)),
]


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YTpi"])
async def test_every_route_needs_a_valid_access_token(api: Client, authorization: str | None) -> None:
    ann = await sign_up(api)
    await add(api, ann)
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in ROUTES:
        body = HOME if method in {"POST", "PUT", "PATCH"} else None
        response = await api.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"] == 'Bearer realm="api"'
        assert response.headers["content-type"] == "application/problem+json"
    assert (await api.get(ADDRESSES, headers=ann.headers)).json()["results"][0]["name"] == "Home"


async def test_the_routes_are_throttled_in_their_scopes(api: Client) -> None:
    ann = await sign_up(api)
    created = await add(api, ann)
    for path, scope in [
        (PROFILE, "profile"),
        (ADDRESSES, "addresses"),
        (address_url(created["id"]), "addresses_write"),
    ]:
        response = await api.get(path, headers=ann.headers)
        assert response.headers["ratelimit-policy"].startswith(f'"{scope}";')
