"""Emailed links, followed end to end through a real SMTP server (contract §3, reference §3.7, §7.2.1).

The app sends over SMTP to `tests/mail.SmtpServer`; each test reads the message, takes `uid` and
`token` from the link's query string and confirms with them, as the storefront would.
"""

import email.message
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.bootstrap import make_container
from avthrift.config import Settings
from avthrift.domain.shared.ports import Clock
from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.rate_limit import RateLimitProvider
from tests.conftest import (
    BASE_URL,
    STRONG_PASSWORD,
    NewAccount,
    SettingsFactory,
    bearer,
    register,
    relaxed_rates,
    sign_in,
)
from tests.mail import SmtpServer, decoded_body, links

type Client = AsyncTestClient[Litestar]

FRONTEND_URL = "http://shop.test"
NEW_PASSWORD = "Second-hand-2027?"
PROFILE = "/api/v1/account/profile/"
SIGNIN = "/api/v1/auth/signin/"
REFRESH = "/api/v1/auth/refresh/"
VERIFY_REQUEST = "/api/v1/account/email-verify/"
VERIFY_CONFIRM = "/api/v1/account/email-verify/confirm/"
RESET_REQUEST = "/api/v1/account/password-reset/"
RESET_CONFIRM = "/api/v1/account/password-reset/confirm/"
CHANGE_REQUEST = "/api/v1/account/email-reset/"
CHANGE_CONFIRM = "/api/v1/account/email-reset/confirm/"
INVALID_LINK = "Invalid or expired token."


def mail_settings(settings_factory: SettingsFactory, mail: SmtpServer, **overrides: str) -> Settings:
    return settings_factory(
        THROTTLE_RATES=relaxed_rates(),
        EMAIL_BACKEND="smtp",
        EMAIL_HOST=mail.host,
        EMAIL_PORT=str(mail.port),
        EMAIL_USE_TLS="false",
        FRONTEND_URL=FRONTEND_URL,
        **overrides,
    )


@pytest.fixture
def mail() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def api(settings_factory: SettingsFactory, mail: SmtpServer) -> AsyncIterator[Client]:
    app = create_app(mail_settings(settings_factory, mail))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield client


def link_of(message: email.message.EmailMessage, page: str) -> dict[str, str]:
    """`uid` and `token` of the one link in `message`, which must point at `{FRONTEND_URL}/{page}`."""
    [link] = links(message)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{FRONTEND_URL}/{page}", link
    query = parse_qs(parts.query, strict_parsing=True)
    assert set(query) == {"uid", "token"}, link
    return {"uid": query["uid"][0], "token": query["token"][0]}


def assert_invalid_link(response: Any) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == INVALID_LINK


def assert_no_link_secrets(response: Any) -> None:
    assert "uid" not in response.text.lower(), response.text
    assert "token" not in response.text.lower(), response.text


# --- The three flows -------------------------------------------------------------------------------


async def test_registration_link_verifies_the_email_once(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    assert_no_link_secrets(
        await api.post(
            "/api/v1/account/register/",
            json={"username": account.username, "email": account.email, "password": account.password},
        )
    )
    [message] = await mail.wait_for(1)
    assert mail.deliveries[0].rcpt_tos == (account.email,)
    assert message["To"] == account.email
    assert message["Subject"] == "Verify your AVThrift email"
    assert decoded_body(message).startswith(
        f"Confirm your email with this link: {FRONTEND_URL}/verify-email?"
    )
    link = link_of(message, "verify-email")

    confirmed = await api.post(VERIFY_CONFIRM, json=link)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"detail": "Email verified."}
    assert_no_link_secrets(confirmed)
    headers = bearer((await sign_in(api, account.email))["access"])
    assert (await api.get(PROFILE, headers=headers)).json()["email_verified"] is True

    assert_invalid_link(await api.post(VERIFY_CONFIRM, json=link))
    # a verified account asks again: the same answer, and no mail
    again = await api.post(VERIFY_REQUEST, json={}, headers=headers)
    assert again.json() == {"detail": "If the account exists, a verification will be sent."}
    assert len(mail.messages) == 1


async def test_verification_requested_again_by_address(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    await register(api, account)
    await mail.wait_for(1)
    response = await api.post(VERIFY_REQUEST, json={"email": account.email.upper()})
    assert response.status_code == 200
    assert_no_link_secrets(response)
    messages = await mail.wait_for(2)
    assert messages[1]["To"] == account.email
    assert (await api.post(VERIFY_CONFIRM, json=link_of(messages[1], "verify-email"))).status_code == 200
    # the first link was bound to "not verified yet": it is spent too
    assert_invalid_link(await api.post(VERIFY_CONFIRM, json=link_of(messages[0], "verify-email")))


async def test_password_reset_link(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    await register(api, account)
    laptop, phone = await sign_in(api, account.email), await sign_in(api, account.email)
    await mail.wait_for(1)

    requested = await api.post(RESET_REQUEST, json={"email": f" {account.email.upper()} "})
    assert requested.status_code == 200
    assert requested.json() == {"detail": "If the email exists, a reset will be sent."}
    assert_no_link_secrets(requested)
    message = (await mail.wait_for(2))[1]
    assert mail.deliveries[1].rcpt_tos == (account.email,)
    assert message["Subject"] == "Reset your AVThrift password"
    assert decoded_body(message).startswith(
        f"Use this link to reset your password: {FRONTEND_URL}/reset-password?"
    )
    link = link_of(message, "reset-password")

    # a weak password is refused without spending the link
    weak = await api.post(RESET_CONFIRM, json=link | {"new_password": "password123"})
    assert weak.status_code == 400
    assert [p["name"] for p in weak.json()["invalid_params"]] == ["new_password"]
    tampered = link | {"token": link["token"][:-1] + ("0" if link["token"][-1] != "0" else "1")}
    assert_invalid_link(await api.post(RESET_CONFIRM, json=tampered | {"new_password": NEW_PASSWORD}))

    reset = await api.post(RESET_CONFIRM, json=link | {"new_password": NEW_PASSWORD})
    assert reset.status_code == 200, reset.text
    assert reset.json() == {"detail": "Password has been reset."}
    assert_no_link_secrets(reset)

    old = await api.post(SIGNIN, json={"identifier": account.email, "password": STRONG_PASSWORD})
    assert old.status_code == 400
    await sign_in(api, account.email, NEW_PASSWORD)
    for tokens in (laptop, phone):
        assert (await api.post(REFRESH, json={"refresh": tokens["refresh"]})).status_code == 401
        assert (await api.post("/api/v1/auth/verify/", json={"token": tokens["access"]})).status_code == 401
    assert_invalid_link(await api.post(RESET_CONFIRM, json=link | {"new_password": "Third-time-lucky-2028"}))
    await sign_in(api, account.email, NEW_PASSWORD)


async def test_email_change_link_goes_to_the_new_address(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    user = await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])
    new_email = f"moved.{account.username}@example.org"

    requested = await api.post(CHANGE_REQUEST, json={"new_email": new_email.upper()}, headers=headers)
    assert requested.status_code == 200
    assert requested.json() == {"detail": "If the email is valid, a confirmation has been sent."}
    assert_no_link_secrets(requested)
    message = (await mail.wait_for(2))[1]
    assert mail.deliveries[1].rcpt_tos == (new_email,)
    assert message["To"] == new_email
    assert message["Subject"] == "Confirm your new AVThrift email"
    assert decoded_body(message).startswith(
        f"Confirm your new email with this link: {FRONTEND_URL}/change-email?"
    )
    # until confirmed, nothing changed
    assert (await api.get(PROFILE, headers=headers)).json()["email"] == account.email

    confirmed = await api.post(CHANGE_CONFIRM, json=link_of(message, "change-email"))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"detail": "Email updated."}
    assert_no_link_secrets(confirmed)

    moved = await sign_in(api, new_email)
    profile = (await api.get(PROFILE, headers=bearer(moved["access"]))).json()
    assert (profile["id"], profile["email"], profile["email_verified"]) == (user["id"], new_email, True)
    old = await api.post(SIGNIN, json={"identifier": account.email, "password": STRONG_PASSWORD})
    assert old.status_code == 400
    assert_invalid_link(await api.post(CHANGE_CONFIRM, json=link_of(message, "change-email")))


async def test_a_newer_email_change_request_spends_the_older_link(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    await register(api, account)
    headers = bearer((await sign_in(api, account.email))["access"])
    first, second = f"first.{account.username}@example.org", f"second.{account.username}@example.org"
    await api.post(CHANGE_REQUEST, json={"new_email": first}, headers=headers)
    await api.post(CHANGE_REQUEST, json={"new_email": second}, headers=headers)
    messages = await mail.wait_for(3)

    assert_invalid_link(await api.post(CHANGE_CONFIRM, json=link_of(messages[1], "change-email")))
    assert (await api.post(CHANGE_CONFIRM, json=link_of(messages[2], "change-email"))).status_code == 200
    assert (await api.get(PROFILE, headers=headers)).json()["email"] == second


async def test_confirming_an_email_change_ends_every_session(api: Client, mail: SmtpServer) -> None:
    """Reference §7.2.18: an email change, like a password change, must not leave old sessions alive."""
    account = NewAccount.unique()
    await register(api, account)
    tokens = await sign_in(api, account.email)
    new_email = f"moved.{account.username}@example.org"
    await api.post(CHANGE_REQUEST, json={"new_email": new_email}, headers=bearer(tokens["access"]))
    message = (await mail.wait_for(2))[1]
    assert (await api.post(CHANGE_CONFIRM, json=link_of(message, "change-email"))).status_code == 200

    assert (await api.post(REFRESH, json={"refresh": tokens["refresh"]})).status_code == 401


async def test_links_are_bound_to_their_user_and_purpose(api: Client, mail: SmtpServer) -> None:
    alice, bob = NewAccount.unique(), NewAccount.unique()
    await register(api, alice)
    bob_id = (await register(api, bob))["id"]
    alice_link = link_of((await mail.wait_for(2))[0], "verify-email")
    bob_uid = link_of(mail.messages[1], "verify-email")["uid"]
    assert bob_uid != alice_link["uid"]

    assert_invalid_link(await api.post(VERIFY_CONFIRM, json=alice_link | {"uid": bob_uid}))
    assert_invalid_link(await api.post(CHANGE_CONFIRM, json=alice_link))
    assert_invalid_link(await api.post(RESET_CONFIRM, json=alice_link | {"new_password": NEW_PASSWORD}))
    for uid in ("!!!", "bm90LWEtbnVtYmVy", "OTk5OTk5OTk5"):  # not base64, not a number, nobody
        assert_invalid_link(await api.post(VERIFY_CONFIRM, json=alice_link | {"uid": uid}))
    bob_profile = (await api.get(PROFILE, headers=bearer((await sign_in(api, bob.email))["access"]))).json()
    assert (bob_profile["id"], bob_profile["email_verified"]) == (bob_id, False)
    assert (await api.post(VERIFY_CONFIRM, json=alice_link)).status_code == 200


# --- Enumeration -----------------------------------------------------------------------------------


async def test_password_reset_request_does_not_tell_known_from_unknown(api: Client, mail: SmtpServer) -> None:
    account = NewAccount.unique()
    await register(api, account)
    await mail.wait_for(1)

    known = await api.post(RESET_REQUEST, json={"email": account.email})
    unknown = await api.post(RESET_REQUEST, json={"email": f"nobody.{account.email}"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert known.json() == {"detail": "If the email exists, a reset will be sent."}
    await mail.wait_for(2)
    assert [d.rcpt_tos for d in mail.deliveries[1:]] == [(account.email,)]


async def test_verification_request_does_not_tell_known_from_unknown(api: Client, mail: SmtpServer) -> None:
    unverified, verified = NewAccount.unique(), NewAccount.unique()
    await register(api, unverified)
    await register(api, verified)
    first_link = link_of((await mail.wait_for(2))[1], "verify-email")
    assert (await api.post(VERIFY_CONFIRM, json=first_link)).status_code == 200

    responses = [
        await api.post(VERIFY_REQUEST, json={"email": email})
        for email in (unverified.email, verified.email, f"nobody.{unverified.email}")
    ]

    assert len({(r.status_code, r.content) for r in responses}) == 1
    assert responses[0].json() == {"detail": "If the account exists, a verification will be sent."}
    await mail.wait_for(3)
    assert [d.rcpt_tos for d in mail.deliveries[2:]] == [(unverified.email,)]


# --- Expiry ----------------------------------------------------------------------------------------


class ShiftedClock(Clock):
    """The wall clock plus `offset`: JWTs stay valid for PyJWT while the app's own clock moves on."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ClockProvider(Provider):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return self._clock


TTLS = {"verify": timedelta(hours=2), "reset": timedelta(minutes=5), "change": timedelta(hours=3)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the clock is the subject here
@pytest.mark.parametrize("purpose", ["verify", "reset", "change"])
async def test_links_expire_after_their_configured_lifetime(
    settings_factory: SettingsFactory, mail: SmtpServer, purpose: str
) -> None:
    settings = mail_settings(
        settings_factory,
        mail,
        EMAIL_VERIFICATION_TTL_HOURS="2",
        PASSWORD_RESET_TTL_MINUTES="5",
        EMAIL_CHANGE_TTL_HOURS="3",
    )
    clock = ShiftedClock()
    container = make_container(settings, LitestarProvider(), RateLimitProvider(), ClockProvider(clock))
    account = NewAccount.unique()
    async with AsyncTestClient(create_app(settings, container=container), base_url=BASE_URL) as api:
        await register(api, account)
        if purpose == "reset":
            await api.post(RESET_REQUEST, json={"email": account.email})
        elif purpose == "change":
            headers = bearer((await sign_in(api, account.email))["access"])
            await api.post(CHANGE_REQUEST, json={"new_email": f"moved.{account.email}"}, headers=headers)
        page, path, extra = {
            "verify": ("verify-email", VERIFY_CONFIRM, {}),
            "reset": ("reset-password", RESET_CONFIRM, {"new_password": NEW_PASSWORD}),
            "change": ("change-email", CHANGE_CONFIRM, {}),
        }[purpose]
        messages = await mail.wait_for(1 if purpose == "verify" else 2)
        body = link_of(messages[-1], page) | extra

        clock.offset = TTLS[purpose] + timedelta(seconds=1)
        assert_invalid_link(await api.post(path, json=body))
        clock.offset = TTLS[purpose] - timedelta(seconds=5)
        confirmed = await api.post(path, json=body)
        assert confirmed.status_code == 200, confirmed.text


# --- Mail failures ---------------------------------------------------------------------------------


async def test_a_refusing_mail_server_neither_breaks_nor_half_registers(
    settings_factory: SettingsFactory,
) -> None:
    account = NewAccount.unique()
    with SmtpServer(reject_with="550 5.7.1 Rejected") as refusing:
        settings = mail_settings(settings_factory, refusing)
        async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as api:
            response = await api.post(
                "/api/v1/account/register/",
                json={"username": account.username, "email": account.email, "password": account.password},
            )
            assert response.status_code == 201, response.text
            tokens = await sign_in(api, account.email)
            for path, body in (
                (RESET_REQUEST, {"email": account.email}),
                (VERIFY_REQUEST, {"email": account.email}),
                (CHANGE_REQUEST, {"new_email": f"moved.{account.email}"}),
            ):
                answer = await api.post(path, json=body, headers=bearer(tokens["access"]))
                assert answer.status_code == 200, (path, answer.text)
        assert refusing.deliveries == []

    # The account is whole: with a working server, verification goes through.
    with SmtpServer() as mail:
        async with AsyncTestClient(
            create_app(mail_settings(settings_factory, mail)), base_url=BASE_URL
        ) as api:
            await api.post(VERIFY_REQUEST, json={"email": account.email})
            [message] = await mail.wait_for(1)
            assert (await api.post(VERIFY_CONFIRM, json=link_of(message, "verify-email"))).status_code == 200
