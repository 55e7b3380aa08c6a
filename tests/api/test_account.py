"""`/api/v1/account/`: sign-up, profile, password change, email-change requests (contract §3)."""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

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
from tests.mail import SmtpServer

type Client = AsyncTestClient[Litestar]

REGISTER = "/api/v1/account/register/"
PROFILE = "/api/v1/account/profile/"
PASSWORD_CHANGE = "/api/v1/account/password-change/"
EMAIL_CHANGE = "/api/v1/account/email-reset/"
SIGNIN = "/api/v1/auth/signin/"
REFRESH = "/api/v1/auth/refresh/"
VERIFY = "/api/v1/auth/verify/"

TOO_SHORT = "This password is too short. It must contain at least 8 characters."
NUMERIC = "This password is entirely numeric."
COMMON = "This password is too common."
LIKE_EMAIL = "The password is too similar to the email address."
LIKE_USERNAME = "The password is too similar to the username."

# Checks made before any query: one engine is enough for them.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def mail() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(settings_factory: SettingsFactory, mail: SmtpServer) -> Settings:
    return settings_factory(
        THROTTLE_RATES=relaxed_rates(),
        EMAIL_BACKEND="smtp",
        EMAIL_HOST=mail.host,
        EMAIL_PORT=str(mail.port),
        EMAIL_USE_TLS="false",
        FRONTEND_URL="http://shop.test",
    )


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Client]:
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        yield client


def tag() -> str:
    return uuid.uuid4().hex[:10]


def reasons(response: Any, field: str) -> list[str]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [p["reason"] for p in response.json().get("invalid_params", []) if p["name"] == field]


def assert_no_link_secrets(response: Any) -> None:
    text = response.text.lower()
    assert "uid" not in text, response.text
    assert "token" not in text, response.text


# --- Sign-up ---------------------------------------------------------------------------------------


async def test_register_answers_the_account_and_no_link_secrets(api: Client, mail: SmtpServer) -> None:
    t = tag()
    response = await api.post(
        REGISTER,
        json={
            "username": f"Ada_{t}",
            "email": f"  Ada.{t}@Example.COM ",
            "password": STRONG_PASSWORD,
            "first_name": "Ada",
            "last_name": "Lovelace",
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert isinstance(body["id"], int)
    assert body == {
        "id": body["id"],
        "username": f"Ada_{t}",
        "email": f"ada.{t}@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
    }
    assert_no_link_secrets(response)
    [message] = await mail.wait_for(1)
    assert message["To"] == f"ada.{t}@example.com"


async def test_register_rejects_a_username_taken_in_another_case(api: Client) -> None:
    first = NewAccount.unique()
    await register(api, first)
    response = await api.post(
        REGISTER,
        json={
            "username": first.username.upper(),
            "email": f"other.{tag()}@example.com",
            "password": STRONG_PASSWORD,
        },
    )
    assert reasons(response, "username") == ["Username is already taken."]


async def test_register_rejects_an_email_taken_in_another_case(api: Client) -> None:
    first = NewAccount.unique()
    await register(api, first)
    response = await api.post(
        REGISTER,
        json={"username": f"other_{tag()}", "email": first.email.upper(), "password": STRONG_PASSWORD},
    )
    assert reasons(response, "email") == ["Email is already registered."]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("short", TOO_SHORT),
        ("numeric", NUMERIC),
        ("common", COMMON),
        ("common, other case", COMMON),
        ("like the email", LIKE_EMAIL),
        ("like the username", LIKE_USERNAME),
    ],
)
async def test_register_rejects_weak_passwords(api: Client, case: str, expected: str) -> None:
    t = tag()
    username, email = f"user{t}", f"margaret.{t}@example.com"
    password = {
        "short": "Ab1!xyz",
        "numeric": "8273645190",
        "common": "password123",
        "common, other case": "PassWord123",
        "like the email": f"Margaret.{t}",
        "like the username": f"{username}!",
    }[case]

    response = await api.post(REGISTER, json={"username": username, "email": email, "password": password})

    assert expected in reasons(response, "password")
    if case == "short":  # nothing was stored: the same names then sign up with a good password
        await register(api, NewAccount(username=username, email=email))


@SQLITE_ONLY
async def test_register_validates_the_body(api: Client) -> None:
    good = {"username": f"u_{tag()}", "email": f"u.{tag()}@example.com", "password": STRONG_PASSWORD}
    for body in (
        {k: v for k, v in good.items() if k != "email"},
        good | {"email": "not-an-email"},
        good | {"username": "   "},
        good | {"is_staff": True},
        good | {"email_verified": True},
    ):
        response = await api.post(REGISTER, json=body)
        assert response.status_code == 400, (body, response.text)


@SQLITE_ONLY
async def test_schema_errors_name_the_field(api: Client) -> None:
    """Contract §1: each `invalid_params` entry names the field path, also for a missing or an
    unknown field (not the handler's parameter name)."""
    good = {"username": f"u_{tag()}", "email": f"u.{tag()}@example.com", "password": STRONG_PASSWORD}
    cases = {
        "email": {k: v for k, v in good.items() if k != "email"},
        "is_staff": good | {"is_staff": True},
        "username": good | {"username": 42},
    }
    names = {}
    for field, body in cases.items():
        response = await api.post(REGISTER, json=body)
        assert response.status_code == 400
        names[field] = [p["name"] for p in response.json()["invalid_params"]]
    assert names == {field: [field] for field in cases}


# --- Profile ---------------------------------------------------------------------------------------


async def test_profile_reads_and_updates_names(api: Client) -> None:
    account = NewAccount.unique()
    user = await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])

    profile = await api.get(PROFILE, headers=headers)
    assert profile.status_code == 200
    assert profile.json() == {
        "id": user["id"],
        "username": account.username,
        "email": account.email,
        "first_name": "",
        "last_name": "",
        "phone": None,
        "email_verified": False,
    }

    patched = await api.patch(
        PROFILE, json={"first_name": "  Grace ", "last_name": "Hopper"}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json() | {"first_name": "Grace", "last_name": "Hopper"} == patched.json()

    unchanged = await api.patch(PROFILE, json={}, headers=headers)
    assert unchanged.status_code == 200
    assert (unchanged.json()["first_name"], unchanged.json()["last_name"]) == ("Grace", "Hopper")
    assert (await api.get(PROFILE, headers=headers)).json() == unchanged.json()


async def test_profile_refuses_fields_it_does_not_own(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])
    for body in (
        {"email": "x@example.com"},
        {"is_staff": True},
        {"email_verified": True},
        {"username": "x"},
        {"first_name": "x" * 151},
    ):
        response = await api.patch(PROFILE, json=body, headers=headers)
        assert response.status_code == 400, (body, response.text)
    assert (await api.get(PROFILE, headers=headers)).json()["email"] == account.email


async def test_phone_is_e164_unique_and_clearable(api: Client) -> None:
    alice, bob = NewAccount.unique(), NewAccount.unique()
    await register(api, alice)
    await register(api, bob)
    as_alice = bearer((await sign_in(api, alice.email))["access"])
    as_bob = bearer((await sign_in(api, bob.email))["access"])
    phone = unique_phone()

    assert (await api.patch(PROFILE, json={"phone": phone}, headers=as_alice)).json()["phone"] == phone

    taken = await api.patch(PROFILE, json={"phone": phone}, headers=as_bob)
    assert taken.status_code == 409, taken.text
    assert taken.headers["content-type"] == "application/problem+json"
    assert taken.json()["code"] == "phone_taken"
    assert (await api.get(PROFILE, headers=as_bob)).json()["phone"] is None

    cleared = await api.patch(PROFILE, json={"phone": ""}, headers=as_alice)
    assert cleared.status_code == 200
    assert cleared.json()["phone"] is None
    assert (await api.patch(PROFILE, json={"phone": phone}, headers=as_bob)).status_code == 200


async def test_invalid_phones_are_400(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])
    for phone in ("12345678", "+0123456789", "+1234567890123456", "+12", "phone", "+1 (415) 555-2671"):
        response = await api.patch(PROFILE, json={"phone": phone}, headers=headers)
        assert response.status_code == 400, (phone, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [p["name"] for p in response.json()["invalid_params"]] == ["phone"], phone
    assert (await api.get(PROFILE, headers=headers)).json()["phone"] is None


# --- Password change -------------------------------------------------------------------------------


async def test_password_change(api: Client) -> None:
    account = NewAccount.unique()
    await register(api, account)
    laptop, phone = await sign_in(api, account.email), await sign_in(api, account.email)
    headers = bearer(laptop["access"])
    new_password = "Second-hand-2027?"

    wrong = await api.post(
        PASSWORD_CHANGE,
        json={"current_password": "Not-my-password-1", "new_password": new_password},
        headers=headers,
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_password"
    weak = await api.post(
        PASSWORD_CHANGE,
        json={"current_password": STRONG_PASSWORD, "new_password": "12345678"},
        headers=headers,
    )
    assert NUMERIC in reasons(weak, "new_password")
    # neither failure signed anyone out
    assert (await api.post(VERIFY, json={"token": phone["refresh"]})).status_code == 200

    changed = await api.post(
        PASSWORD_CHANGE,
        json={"current_password": STRONG_PASSWORD, "new_password": new_password},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"detail": "Password changed."}

    for tokens in (laptop, phone):
        assert (await api.post(REFRESH, json={"refresh": tokens["refresh"]})).status_code == 401
        assert (await api.post(VERIFY, json={"token": tokens["refresh"]})).status_code == 401
        assert (await api.post(VERIFY, json={"token": tokens["access"]})).status_code == 401
    old = await api.post(SIGNIN, json={"identifier": account.email, "password": STRONG_PASSWORD})
    assert old.status_code == 400
    await sign_in(api, account.email, new_password)


# --- Email-change requests -------------------------------------------------------------------------


async def test_email_change_to_a_taken_address_answers_like_a_free_one(api: Client, mail: SmtpServer) -> None:
    alice, bob, carol = NewAccount.unique(), NewAccount.unique(), NewAccount.unique()
    for account in (alice, bob, carol):
        await register(api, account)
    await mail.wait_for(3)
    as_alice = bearer((await sign_in(api, alice.email))["access"])
    as_carol = bearer((await sign_in(api, carol.email))["access"])
    reserved = f"reserved.{tag()}@example.com"
    assert (await api.post(EMAIL_CHANGE, json={"new_email": reserved}, headers=as_carol)).status_code == 200
    await mail.wait_for(4)
    free = f"free.{tag()}@example.com"

    taken = await api.post(EMAIL_CHANGE, json={"new_email": bob.email}, headers=as_alice)
    taken_other_case = await api.post(EMAIL_CHANGE, json={"new_email": bob.email.upper()}, headers=as_alice)
    pending_elsewhere = await api.post(EMAIL_CHANGE, json={"new_email": reserved}, headers=as_alice)
    available = await api.post(EMAIL_CHANGE, json={"new_email": free}, headers=as_alice)

    assert available.status_code == 200, available.text
    assert available.json() == {"detail": "If the email is valid, a confirmation has been sent."}
    for response in (taken, taken_other_case, pending_elsewhere):
        assert (response.status_code, response.content) == (available.status_code, available.content)
        assert response.headers["content-type"] == available.headers["content-type"]
    for response in (taken, taken_other_case, pending_elsewhere, available):
        assert_no_link_secrets(response)
    messages = await mail.wait_for(5)
    assert len(messages) == 5
    assert [d.rcpt_tos for d in mail.deliveries[4:]] == [(free,)]
    assert (await api.get(PROFILE, headers=as_alice)).json()["email"] == alice.email


async def test_email_change_to_the_same_address_is_400(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])
    for new_email in (account.email, f"  {account.email.upper()} "):
        response = await api.post(EMAIL_CHANGE, json={"new_email": new_email}, headers=headers)
        assert response.status_code == 400
        assert response.json()["detail"] == "New email must be different from current email."
    invalid = await api.post(EMAIL_CHANGE, json={"new_email": "not-an-email"}, headers=headers)
    assert reasons(invalid, "new_email") == ["Enter a valid email address."]
    await mail.wait_for(1)
    assert len(mail.messages) == 1  # the sign-up verification only


# --- No link secret in any response ----------------------------------------------------------------


async def test_no_response_carries_a_uid_or_token(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    t = tag()
    responses: dict[str, Any] = {}
    responses["register"] = await api.post(
        REGISTER, json={"username": account.username, "email": account.email, "password": STRONG_PASSWORD}
    )
    signin = await api.post(SIGNIN, json={"identifier": account.email, "password": STRONG_PASSWORD})
    tokens = signin.json()
    refreshed = await api.post(REFRESH, json={"refresh": tokens["refresh"]})
    tokens = refreshed.json()
    headers = bearer(tokens["access"])
    responses["verify"] = await api.post(VERIFY, json={"token": tokens["access"]})
    responses["profile"] = await api.get(PROFILE, headers=headers)
    responses["profile patch"] = await api.patch(PROFILE, json={"first_name": "Tok"}, headers=headers)
    responses["verification, known"] = await api.post(
        "/api/v1/account/email-verify/", json={"email": account.email}
    )
    responses["verification, unknown"] = await api.post(
        "/api/v1/account/email-verify/", json={"email": f"nobody.{t}@example.com"}
    )
    responses["verification, signed in"] = await api.post(
        "/api/v1/account/email-verify/", json={}, headers=headers
    )
    responses["reset, known"] = await api.post(
        "/api/v1/account/password-reset/", json={"email": account.email}
    )
    responses["reset, unknown"] = await api.post(
        "/api/v1/account/password-reset/", json={"email": f"nobody.{t}@example.com"}
    )
    responses["email change"] = await api.post(
        EMAIL_CHANGE, json={"new_email": f"moved.{t}@example.com"}, headers=headers
    )
    responses["password change"] = await api.post(
        PASSWORD_CHANGE,
        json={"current_password": STRONG_PASSWORD, "new_password": "Second-hand-2027?"},
        headers=headers,
    )
    again = await sign_in(api, account.email, "Second-hand-2027?")
    responses["sign-out"] = await api.post("/api/v1/auth/signout/", json={"refresh": again["refresh"]})

    assert {name: r.status_code for name, r in responses.items()} == {
        name: 201 if name == "register" else 200 for name in responses
    }
    for response in responses.values():
        assert_no_link_secrets(response)
    for response in (signin, refreshed):  # the JWTs themselves are the only token-bearing fields
        body = response.json()
        assert set(body) == {"access", "refresh"}
        assert_no_link_secrets_in(response.text.replace(body["access"], "").replace(body["refresh"], ""))
    await mail.wait_for(5)  # sign-up, verification, reset, change: the links went by mail only


def assert_no_link_secrets_in(text: str) -> None:
    assert "uid" not in text.lower(), text
    assert "token" not in text.lower(), text
