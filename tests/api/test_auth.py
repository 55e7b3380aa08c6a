"""`/api/v1/auth/`: sign-in, refresh rotation, verify, sign-out, and JWT attacks (contract §1, §3)."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from avthrift.config import Settings
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

SIGNIN = "/api/v1/auth/signin/"
REFRESH = "/api/v1/auth/refresh/"
VERIFY = "/api/v1/auth/verify/"
SIGNOUT = "/api/v1/auth/signout/"
PROFILE = "/api/v1/account/profile/"

# JWT checks happen before any query: one engine is enough for them.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def settings(settings_factory: SettingsFactory) -> Settings:
    return settings_factory(THROTTLE_RATES=relaxed_rates())


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Client]:
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        yield client


def assert_unauthorized(response: Any) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body: dict[str, Any] = response.json()
    assert body["status"] == 401
    return body


# --- Sign-in -------------------------------------------------------------------------------------


async def test_sign_in_by_email_in_any_case(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)

    for identifier in (account.email, account.email.upper(), f"  {account.email.title()}  "):
        response = await api.post(SIGNIN, json={"identifier": identifier, "password": STRONG_PASSWORD})
        assert response.status_code == 200, (identifier, response.text)
        tokens = response.json()
        assert set(tokens) == {"access", "refresh"}
        profile = await api.get(PROFILE, headers=bearer(tokens["access"]))
        assert profile.status_code == 200
        assert profile.json()["email"] == account.email


async def test_sign_in_by_e164_phone_set_through_the_profile(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    tokens = await sign_in(api, account.email)
    phone = unique_phone()

    patched = await api.patch(PROFILE, json={"phone": phone}, headers=bearer(tokens["access"]))
    assert patched.status_code == 200, patched.text
    assert patched.json()["phone"] == phone

    by_phone = await sign_in(api, phone)
    profile = await api.get(PROFILE, headers=bearer(by_phone["access"]))
    assert profile.json()["username"] == account.username
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    assert (
        await api.post(SIGNIN, json={"identifier": spaced, "password": STRONG_PASSWORD})
    ).status_code == 200


async def test_every_credential_failure_is_the_same_400(api: Client, settings: Settings) -> None:
    account = NewAccount.unique()
    user = await register(api, account)
    inactive = NewAccount.unique()
    inactive_user = await register(api, inactive)
    # No API deactivates an account: do it in the database (the app runs in the client's own loop).
    engine = create_async_engine(settings.database.url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE users SET is_active = :no WHERE id = :id"),
                {"no": False, "id": inactive_user["id"]},
            )
    finally:
        await engine.dispose()

    attempts = {
        "unknown email": (f"nobody.{account.email}", STRONG_PASSWORD),
        "wrong password": (account.email, STRONG_PASSWORD + "x"),
        "wrong password, other case": (account.email.upper(), "Another-password-9"),
        "inactive account, right password": (inactive.email, STRONG_PASSWORD),
        "unknown phone": (unique_phone(), STRONG_PASSWORD),
        "username is not an identifier": (account.username, STRONG_PASSWORD),
        "user id is not an identifier": (str(user["id"]), STRONG_PASSWORD),
    }
    responses = {
        name: await api.post(SIGNIN, json={"identifier": identifier, "password": password})
        for name, (identifier, password) in attempts.items()
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(attempts, 400)
    bodies = {name: r.content for name, r in responses.items()}
    assert len(set(bodies.values())) == 1, bodies
    body = responses["unknown email"].json()
    assert body == {
        "type": "urn:avthrift:problem:invalid_credentials",
        "title": "Bad Request",
        "status": 400,
        "detail": "Invalid credentials.",
        "code": "invalid_credentials",
    }
    assert all(r.headers["content-type"] == "application/problem+json" for r in responses.values())


async def test_sign_in_fields_are_required(api: Client) -> None:
    for body in ({}, {"identifier": "a@b.co"}, {"password": "x"}, {"identifier": "", "password": "x"}):
        response = await api.post(SIGNIN, json=body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "validation_error"


# --- Refresh rotation, verify and sign-out -----------------------------------------------------


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    first = await sign_in(api, account.email)

    second = await api.post(REFRESH, json={"refresh": first["refresh"]})
    assert second.status_code == 200, second.text
    assert set(second.json()) == {"access", "refresh"}
    assert second.json()["refresh"] != first["refresh"]
    third = await api.post(REFRESH, json={"refresh": second.json()["refresh"]})
    assert third.status_code == 200
    newest = third.json()
    assert newest["refresh"] not in {first["refresh"], second.json()["refresh"]}
    assert (await api.get(PROFILE, headers=bearer(newest["access"]))).status_code == 200

    # The spent token again: it leaked, so the whole family ends, the newest token included.
    assert_unauthorized(await api.post(REFRESH, json={"refresh": first["refresh"]}))
    assert_unauthorized(await api.post(REFRESH, json={"refresh": newest["refresh"]}))
    assert_unauthorized(await api.post(VERIFY, json={"token": newest["refresh"]}))
    assert_unauthorized(await api.post(VERIFY, json={"token": newest["access"]}))


async def test_a_rotated_token_is_refused_once_spent(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    tokens = await sign_in(api, account.email)
    assert (await api.post(REFRESH, json={"refresh": tokens["refresh"]})).status_code == 200
    body = assert_unauthorized(await api.post(REFRESH, json={"refresh": tokens["refresh"]}))
    assert body["code"] == "token_not_valid"


async def test_other_sign_ins_survive_a_family_revocation(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    laptop, phone = await sign_in(api, account.email), await sign_in(api, account.email)

    assert (await api.post(SIGNOUT, json={"refresh": laptop["refresh"]})).status_code == 200
    assert (await api.post(REFRESH, json={"refresh": phone["refresh"]})).status_code == 200


async def test_verify_accepts_live_tokens_and_refuses_them_after_sign_out(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    tokens = await sign_in(api, account.email)
    rotated = (await api.post(REFRESH, json={"refresh": tokens["refresh"]})).json()

    for token in (tokens["access"], rotated["access"], rotated["refresh"]):
        response = await api.post(VERIFY, json={"token": token})
        assert response.status_code == 200, response.text
        assert response.json() == {}

    signed_out = await api.post(SIGNOUT, json={"refresh": rotated["refresh"]})
    assert signed_out.status_code == 200
    assert signed_out.json() == {"detail": "Signed out."}

    for token in (tokens["access"], rotated["access"], rotated["refresh"]):
        assert_unauthorized(await api.post(VERIFY, json={"token": token}))
    assert_unauthorized(await api.post(REFRESH, json={"refresh": rotated["refresh"]}))


async def test_sign_out_needs_a_refresh_token(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    tokens = await sign_in(api, account.email)

    assert (await api.post(SIGNOUT, json={})).status_code == 400
    assert_unauthorized(await api.post(SIGNOUT, json={"refresh": tokens["access"]}))
    assert_unauthorized(await api.post(SIGNOUT, json={"refresh": "not-a-token"}))
    assert_unauthorized(await api.post(REFRESH, json={"refresh": tokens["access"]}))
    # none of that touched the family
    assert (await api.post(REFRESH, json={"refresh": tokens["refresh"]})).status_code == 200


# --- JWT attacks -----------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _segment(part: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def _unsigned(header: dict[str, Any], payload: dict[str, Any], signature: str = "") -> str:
    return ".".join((_b64(json.dumps(header).encode()), _b64(json.dumps(payload).encode()), signature))


def _forgeries(settings: Settings, access: str, refresh: str) -> dict[str, str]:
    """Tokens that must never authenticate, built from a real access token of the same user."""
    head, body, signature = access.split(".")
    claims = _segment(body)
    key = settings.secret_key

    def signed(changes: dict[str, Any], *, drop: str = "", secret: str = key) -> str:
        payload = {k: v for k, v in (claims | changes).items() if k != drop}
        return jwt.encode(payload, secret, algorithm="HS256")

    def tampered(changes: dict[str, Any]) -> str:  # the original header and signature
        return f"{head}.{_b64(json.dumps(claims | changes).encode())}.{signature}"

    def hs512() -> str:  # by hand: PyJWT warns (an error here) about the key length for HS512
        signing_input = _unsigned({"alg": "HS512", "typ": "JWT"}, claims)[:-1]
        mac = hmac.new(key.encode(), signing_input.encode(), hashlib.sha512).digest()
        return f"{signing_input}.{_b64(mac)}"

    now = int(time.time())
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    return {
        "alg none": _unsigned({"alg": "none", "typ": "JWT"}, claims),
        "alg none, original signature": _unsigned({"alg": "none", "typ": "JWT"}, claims, signature),
        "tampered signature": f"{head}.{body}.{flipped}",
        "tampered payload (staff)": tampered({"staff": True}),
        "tampered payload (sub)": tampered({"sub": str(int(claims["sub"]) + 1)}),
        "expired": signed({"iat": now - 3600, "exp": now - 60}),
        "refresh used as access": refresh,
        "wrong audience": signed({"aud": "someone-else"}),
        "wrong issuer": signed({"iss": "https://evil.example"}),
        "other key": signed({}, secret="another-secret-key-of-sufficient-length-0123456789"),
        "HS512 with the right key": hs512(),
        "missing typ": signed({}, drop="typ"),
        "unknown typ": signed({"typ": "id"}),
        "missing exp": signed({}, drop="exp"),
        "missing iat": signed({}, drop="iat"),
        "issued in the future": signed({"iat": now + 3600}),
        "not a JWT": "not.a.jwt",
    }


@pytest.fixture
async def forged(api: Client, settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """(the real tokens, the forgeries); the control: a re-signed copy of the real claims works."""
    account = NewAccount.unique()
    await register(api, account)
    tokens = await sign_in(api, account.email)
    claims = _segment(tokens["access"].split(".")[1])
    control = jwt.encode(claims, settings.secret_key, algorithm="HS256")
    assert (await api.get(PROFILE, headers=bearer(control))).status_code == 200
    assert (await api.post(VERIFY, json={"token": control})).status_code == 200
    return tokens, _forgeries(settings, tokens["access"], tokens["refresh"])


@SQLITE_ONLY
async def test_forged_tokens_do_not_open_a_protected_route(
    api: Client, forged: tuple[dict[str, str], dict[str, str]]
) -> None:
    _, forgeries = forged
    responses = {name: await api.get(PROFILE, headers=bearer(token)) for name, token in forgeries.items()}

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(forgeries, 401)
    for response in responses.values():
        body = assert_unauthorized(response)
        assert body["detail"] != "Authentication credentials were not provided."


@SQLITE_ONLY
async def test_forged_tokens_do_not_verify(
    api: Client, forged: tuple[dict[str, str], dict[str, str]]
) -> None:
    _, forgeries = forged
    # /auth/verify/ accepts refresh tokens on purpose (reference §1.2): that one is no forgery there.
    forgeries.pop("refresh used as access")
    responses = {name: await api.post(VERIFY, json={"token": token}) for name, token in forgeries.items()}

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(forgeries, 401)
    for response in responses.values():
        assert_unauthorized(response)
        assert response.json()["code"] == "token_not_valid"


async def test_expired_access_token_issued_by_the_app(settings_factory: SettingsFactory) -> None:
    """A token the app itself issued, presented after its `exp` (read against the app's clock)."""
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(), ACCESS_TOKEN_TTL_MINUTES="1")
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as api:
        account = NewAccount.unique()
        await register(api, account)
        tokens = await sign_in(api, account.email)
        claims = _segment(tokens["access"].split(".")[1])
        assert claims["exp"] - claims["iat"] == 60
        # Same token, moved back in time by two minutes and signed with the right key.
        stale = jwt.encode(
            claims | {"iat": claims["iat"] - 120, "exp": claims["exp"] - 120}, settings.secret_key, "HS256"
        )
        assert_unauthorized(await api.get(PROFILE, headers=bearer(stale)))
        assert_unauthorized(await api.post(VERIFY, json={"token": stale}))


async def test_missing_or_unusable_credentials(api: Client) -> None:
    body = assert_unauthorized(await api.get(PROFILE))
    assert body["detail"] == "Authentication credentials were not provided."
    assert body["code"] == "not_authenticated"
    for authorization in ("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"):
        assert_unauthorized(await api.get(PROFILE, headers={"Authorization": authorization}))


async def test_protected_account_routes_all_require_a_token(api: Client) -> None:
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("GET profile", lambda: api.get(PROFILE)),
        ("PATCH profile", lambda: api.patch(PROFILE, json={"first_name": "x"})),
        ("password change", lambda: api.post("/api/v1/account/password-change/", json={})),
        ("email change", lambda: api.post("/api/v1/account/email-reset/", json={"new_email": "a@b.co"})),
    ]
    for name, call in calls:
        response = await call()
        body = assert_unauthorized(response)
        assert body["detail"] == "Authentication credentials were not provided.", name
