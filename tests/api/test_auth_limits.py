"""Every auth and account endpoint is rate limited (contract §1, reference §7.2.5), per client and,
for sign-in and password reset, per account."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.config import DEFAULT_THROTTLE_RATES, Settings
from avthrift.entrypoints.http.app import create_app
from tests.conftest import (
    BASE_URL,
    STRONG_PASSWORD,
    NewAccount,
    SettingsFactory,
    bearer,
    register,
    relaxed_rates,
    sign_in,
    unique_phone,
)

type Client = AsyncTestClient[Litestar]

# Counting is the same whatever the database: one engine is enough here.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SIGNIN = "/api/v1/auth/signin/"
RESET_REQUEST = "/api/v1/account/password-reset/"
PROFILE = "/api/v1/account/profile/"

# The scope of each operation: the reference's (§1.2, §1.3 "intended scope"), now enforced.
EXPECTED_SCOPES = {
    ("POST", "/api/v1/auth/signin"): "signin",
    ("POST", "/api/v1/auth/refresh"): "token_refresh",
    ("POST", "/api/v1/auth/verify"): "token_verify",
    ("POST", "/api/v1/auth/signout"): "signout",
    ("GET", "/api/v1/account/profile"): "profile",
    ("POST", "/api/v1/account/register"): "register",
    ("POST", "/api/v1/account/password-reset"): "password_reset",
    ("POST", "/api/v1/account/password-reset/confirm"): "password_reset",
    ("POST", "/api/v1/account/email-verify"): "email_verify",
    ("POST", "/api/v1/account/email-verify/confirm"): "email_verify",
    ("POST", "/api/v1/account/email-reset"): "email_reset",
    ("POST", "/api/v1/account/email-reset/confirm"): "email_reset",
}


async def client_for(settings: Settings) -> AsyncIterator[Client]:
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
async def api(settings_factory: SettingsFactory) -> AsyncIterator[Client]:
    async for client in client_for(settings_factory(THROTTLE_RATES=relaxed_rates())):
        yield client


def identity_operations(app: Litestar) -> list[tuple[str, str]]:
    operations = [
        (method, route.path)
        for route in app.routes
        if route.path.startswith(("/api/v1/auth", "/api/v1/account"))
        for method in sorted(getattr(route, "methods", ()))
    ]
    assert len(operations) >= 15, operations
    return operations


def policy_scope(response: Any) -> str:
    name = response.headers["ratelimit-policy"].partition(";")[0]
    assert response.headers["ratelimit"].startswith(f"{name};"), response.headers
    return name.strip('"')


async def scopes_answered(api: Client) -> dict[tuple[str, str], str]:
    """The scope each auth/account operation names in its `RateLimit-Policy` header."""
    scopes = {}
    for method, path in identity_operations(api.app):
        # An empty body: whatever the answer (400, 401...), the limiter counted the request first.
        kwargs: dict[str, Any] = {"json": {}} if method in {"POST", "PATCH"} else {}
        response = await api.request(method, path + "/", **kwargs)
        assert response.status_code < 500, (method, path, response.text)
        assert "ratelimit-policy" in response.headers, (method, path, response.status_code)
        scopes[method, path] = policy_scope(response)
    return scopes


async def test_every_auth_and_account_operation_answers_with_a_rate_limit_policy(api: Client) -> None:
    scopes = await scopes_answered(api)

    assert {method for method, _ in scopes} >= {"GET", "POST", "PATCH", "OPTIONS"}
    assert set(scopes.values()) <= set(DEFAULT_THROTTLE_RATES), scopes
    assert {"health", "docs"}.isdisjoint(scopes.values())


async def test_identity_operations_use_the_reference_scopes(api: Client) -> None:
    scopes = await scopes_answered(api)
    assert {key: scopes.get(key) for key in EXPECTED_SCOPES} == EXPECTED_SCOPES


async def test_sign_in_is_limited_per_client(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(signin="3/min"))
    async for api in client_for(settings):
        responses = [
            await api.post(SIGNIN, json={"identifier": f"nobody{i}@example.com", "password": STRONG_PASSWORD})
            for i in range(4)
        ]
        assert [r.status_code for r in responses] == [400, 400, 400, 429]
        throttled = responses[-1]
        assert throttled.headers["content-type"] == "application/problem+json"
        assert throttled.json()["code"] == "throttled"
        assert 1 <= int(throttled.headers["retry-after"]) <= 60
        assert throttled.headers["ratelimit-policy"] == '"signin";q=3;w=60'
        # other scopes keep their own budget
        assert (await api.post(RESET_REQUEST, json={"email": "nobody@example.com"})).status_code == 200


async def test_sign_in_is_limited_per_account(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(signin_account="2/min"))
    async for api in client_for(settings):
        victim, other = NewAccount.unique(), NewAccount.unique()
        await register(api, victim)
        await register(api, other)

        # the same account under different spellings of its address, with different wrong passwords
        guesses = [(victim.email, "Guess-number-1"), (victim.email.upper(), "Guess-number-2")]
        guesses += [(f"  {victim.email}", "Guess-number-3")]
        responses = [
            await api.post(SIGNIN, json={"identifier": identifier, "password": password})
            for identifier, password in guesses
        ]
        assert [r.status_code for r in responses] == [400, 400, 429]
        assert int(responses[-1].headers["retry-after"]) >= 1
        # even the right password waits now: the limit protects the account, not the guess
        right = await api.post(SIGNIN, json={"identifier": victim.email, "password": STRONG_PASSWORD})
        assert right.status_code == 429

        # another account, from the same client, is untouched
        wrong = await api.post(SIGNIN, json={"identifier": other.email, "password": "Guess-number-1"})
        assert wrong.status_code == 400
        assert wrong.json()["code"] == "invalid_credentials"
        assert (
            await api.post(SIGNIN, json={"identifier": other.email, "password": STRONG_PASSWORD})
        ).status_code == 200


async def test_the_per_account_sign_in_limit_sees_through_phone_spacing(
    settings_factory: SettingsFactory,
) -> None:
    """Sign-in ignores spaces in a phone number, so the per-account counter must too: otherwise
    every spacing of the number is a fresh budget of guesses."""
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(signin_account="2/min"))
    async for api in client_for(settings):
        account = NewAccount.unique()
        await register(api, account)
        access = (await sign_in(api, account.email))["access"]
        phone = unique_phone()
        assert (await api.patch(PROFILE, json={"phone": phone}, headers=bearer(access))).status_code == 200

        spellings = [phone, f"{phone[:4]} {phone[4:]}", f"{phone[:4]} {phone[4:7]} {phone[7:]}"]
        statuses = [
            (await api.post(SIGNIN, json={"identifier": spelling, "password": "Guess-number-1"})).status_code
            for spelling in spellings
        ]
        assert statuses == [400, 400, 429]


async def test_password_reset_is_limited_per_account(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(password_reset_account="1/hour"))
    async for api in client_for(settings):
        account = NewAccount.unique()
        await register(api, account)

        first = await api.post(RESET_REQUEST, json={"email": account.email})
        second = await api.post(RESET_REQUEST, json={"email": f" {account.email.upper()}"})
        assert (first.status_code, second.status_code) == (200, 429)
        assert 3500 <= int(second.headers["retry-after"]) <= 3600
        # an unknown address is limited the same way (no enumeration through the limit)
        unknown = f"nobody.{account.email}"
        statuses = [(await api.post(RESET_REQUEST, json={"email": unknown})).status_code for _ in range(2)]
        assert statuses == [200, 429]
        assert (await api.post(RESET_REQUEST, json={"email": f"else.{account.email}"})).status_code == 200


async def test_password_reset_is_limited_per_client(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(password_reset="2/min"))
    async for api in client_for(settings):
        statuses = [
            (await api.post(RESET_REQUEST, json={"email": f"person{i}@example.com"})).status_code
            for i in range(3)
        ]
        assert statuses == [200, 200, 429]
        # the confirm endpoint shares the scope (reference §1.3)
        confirm = await api.post(
            "/api/v1/account/password-reset/confirm/", json={"uid": "MQ", "token": "x", "new_password": "y"}
        )
        assert confirm.status_code == 429


@pytest.mark.parametrize(
    ("scope", "method", "path", "body"),
    [
        ("register", "POST", "/api/v1/account/register/", {}),
        ("email_verify", "POST", "/api/v1/account/email-verify/", {"email": "nobody@example.com"}),
        ("token_refresh", "POST", "/api/v1/auth/refresh/", {"refresh": "x"}),
        ("token_verify", "POST", "/api/v1/auth/verify/", {"token": "x"}),
        ("signout", "POST", "/api/v1/auth/signout/", {"refresh": "x"}),
        ("email_reset", "POST", "/api/v1/account/email-reset/confirm/", {"uid": "MQ", "token": "x"}),
    ],
)
async def test_the_other_identity_scopes_answer_429_past_their_rate(
    settings_factory: SettingsFactory, scope: str, method: str, path: str, body: dict[str, Any]
) -> None:
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(**{scope: "1/min"}))
    async for api in client_for(settings):
        first = await api.request(method, path, json=body)
        second = await api.request(method, path, json=body)
        assert first.status_code != 429
        assert second.status_code == 429
        assert second.headers["ratelimit-policy"] == f'"{scope}";q=1;w=60'
