"""Every error the API can answer is an RFC 9457 problem document (contract §1)."""

from typing import Annotated, Any

import msgspec
import pytest
from litestar import Litestar, get, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from avthrift.domain.shared.errors import ConflictError, NotFoundError, ServiceUnavailableError
from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE
from tests.conftest import BASE_URL, SettingsFactory

PROBE_OPT = {RATE_SCOPE: "health"}


class Item(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    variant_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10)]


@post("/probe/items", opt=PROBE_OPT)
async def create_item(data: JSONBody[Item]) -> Item:
    return data


@get("/probe/conflict", opt=PROBE_OPT)
async def conflict() -> None:
    raise ConflictError("Unable to update cart.", available=0)


@get("/probe/missing", opt=PROBE_OPT)
async def missing() -> None:
    raise NotFoundError


@get("/probe/down", opt=PROBE_OPT)
async def down() -> None:
    raise ServiceUnavailableError("The database is unavailable.")


@get("/probe/crash", opt=PROBE_OPT)
async def crash() -> None:
    raise RuntimeError("SELECT secret FROM users -- internal detail")


@pytest.fixture
async def probe_client(settings_factory: SettingsFactory) -> Any:
    app: Litestar = create_app(
        settings_factory(), extra_route_handlers=[create_item, conflict, missing, down, crash]
    )
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield client


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:avthrift:problem:{code}"
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


async def test_unknown_route_is_a_problem_not_an_html_page(client: Any) -> None:
    body = assert_problem(await client.get("/api/v1/nowhere/"), 404, "not_found")
    assert body["detail"] == "Not found."


async def test_wrong_method_is_405(client: Any) -> None:
    response = await client.delete("/health/")
    assert_problem(response, 405, "method_not_allowed")


async def test_valid_body_passes(probe_client: Any) -> None:
    response = await probe_client.post("/probe/items", json={"variant_id": 1, "quantity": 2})
    assert response.status_code == 201
    assert response.json() == {"variant_id": 1, "quantity": 2}


async def test_malformed_json_is_400(probe_client: Any) -> None:
    response = await probe_client.post(
        "/probe/items", content=b'{"variant_id": 1,', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400, "malformed_json")
    assert body["detail"].startswith("JSON parse error - ")


async def test_non_json_body_is_415(probe_client: Any) -> None:
    response = await probe_client.post(
        "/probe/items", content=b"variant_id=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    body = assert_problem(response, 415, "unsupported_media_type")
    assert body["detail"] == "Request bodies must be application/json."


async def test_json_suffix_media_types_are_accepted(probe_client: Any) -> None:
    response = await probe_client.post(
        "/probe/items",
        content=b'{"variant_id": 1, "quantity": 1}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert response.status_code == 201


async def test_unknown_fields_are_rejected(probe_client: Any) -> None:
    response = await probe_client.post(
        "/probe/items", json={"variant_id": 1, "quantity": 1, "is_staff": True}
    )
    body = assert_problem(response, 400, "validation_error")
    assert any("is_staff" in param["reason"] for param in body["invalid_params"])


async def test_validation_errors_list_invalid_params(probe_client: Any) -> None:
    response = await probe_client.post("/probe/items", json={"variant_id": "x", "quantity": 1})
    body = assert_problem(response, 400, "validation_error")
    assert body["invalid_params"]
    assert all(set(param) == {"name", "reason"} for param in body["invalid_params"])
    assert {"name": "variant_id", "reason": "Expected `int`, got `str`"} in body["invalid_params"]


async def test_constraint_violations_are_validation_errors(probe_client: Any) -> None:
    response = await probe_client.post("/probe/items", json={"variant_id": 1, "quantity": 11})
    body = assert_problem(response, 400, "validation_error")
    assert any("10" in param["reason"] for param in body["invalid_params"])


async def test_body_over_one_mebibyte_is_413(probe_client: Any) -> None:
    payload = b'{"variant_id": 1, "quantity": 1, "pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = await probe_client.post(
        "/probe/items", content=payload, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413, "payload_too_large")


async def test_domain_errors_map_to_their_status_with_extra_members(probe_client: Any) -> None:
    body = assert_problem(await probe_client.get("/probe/conflict"), 409, "conflict")
    assert body["detail"] == "Unable to update cart."
    assert body["available"] == 0
    assert (
        assert_problem(await probe_client.get("/probe/missing"), 404, "not_found")["detail"] == "Not found."
    )
    assert_problem(await probe_client.get("/probe/down"), 503, "service_unavailable")


async def test_unexpected_exceptions_reveal_nothing(probe_client: Any) -> None:
    response = await probe_client.get("/probe/crash")
    body = assert_problem(response, 500, "internal_error")
    assert body["detail"] == "An unexpected error occurred."
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text


async def test_debug_mode_reveals_nothing_either(settings_factory: SettingsFactory) -> None:
    app = create_app(settings_factory(DEBUG="true"), extra_route_handlers=[crash])
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        response = await client.get("/probe/crash")
    body = assert_problem(response, 500, "internal_error")
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert body["detail"] == "An unexpected error occurred."


async def test_disallowed_host_is_a_problem(client: Any) -> None:
    response = await client.get("/health/", headers={"host": "evil.example"})
    assert_problem(response, 400, "invalid_host")


async def test_every_response_carries_request_id_and_security_headers(client: Any) -> None:
    for response in [await client.get("/health/"), await client.get("/missing")]:
        assert len(response.headers["x-request-id"]) == 32
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in response.headers


async def test_a_sane_client_request_id_is_echoed_and_an_insane_one_replaced(client: Any) -> None:
    echoed = await client.get("/health/", headers={"x-request-id": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    replaced = await client.get("/health/", headers={"x-request-id": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_prod_adds_hsts_and_redirects_plain_http(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(SECURE_HSTS_SECONDS="600", SECURE_SSL_REDIRECT="true")
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        redirected = await client.get("/api/schema/?x=1", follow_redirects=False)
        assert redirected.status_code == 301
        assert redirected.headers["location"] == "https://testserver.local/api/schema/?x=1"
        health = await client.get("/health/")
        assert health.status_code == 200
        assert health.headers["strict-transport-security"].startswith("max-age=600")
