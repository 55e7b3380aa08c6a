"""The password policy, the JWT issuer, the emailed-link tokens and the argon2id hasher."""

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from avthrift.adapters.security.argon2_hasher import Argon2PasswordHasher
from avthrift.adapters.security.jwt_issuer import JwtTokenIssuer
from avthrift.adapters.security.link_tokens import HmacLinkTokens
from avthrift.domain.identity.errors import InvalidTokenError
from avthrift.domain.identity.model import User
from avthrift.domain.identity.passwords import check_password, password_problems
from avthrift.domain.shared.errors import InvalidInputError

STRONG = "Thrift-shop-2026!"
TOO_SHORT = "This password is too short. It must contain at least 8 characters."
TOO_LONG = "This password is too long. It must contain at most 1024 characters."
NUMERIC = "This password is entirely numeric."
COMMON = "This password is too common."
LIKE_EMAIL = "The password is too similar to the email address."
LIKE_USERNAME = "The password is too similar to the username."

# --- Password policy -------------------------------------------------------------------------------


def test_a_strong_password_passes() -> None:
    assert password_problems(STRONG, email="ada@example.com", username="ada") == []
    check_password(STRONG, email="ada@example.com", username="ada")


@pytest.mark.parametrize(
    ("password", "context", "expected"),
    [
        ("Ab1!xyz", {}, [TOO_SHORT]),
        ("Ab1!" * 257, {}, [TOO_LONG]),
        ("8273645190", {}, [NUMERIC]),
        ("password123", {}, [COMMON]),
        (" PassWord123 ", {}, [COMMON]),
        ("margaret.hamilton", {"email": "margaret.hamilton@example.com"}, [LIKE_EMAIL]),
        ("Margaret1960!", {"email": "margaret@example.com"}, [LIKE_EMAIL]),
        ("gracehopper!", {"username": "gracehopper"}, [LIKE_USERNAME]),
        ("Grace_Hopper99", {"username": "grace_hopper"}, [LIKE_USERNAME]),
        ("1234567", {}, [TOO_SHORT, NUMERIC, COMMON]),
    ],
    ids=[
        "short",
        "long",
        "numeric",
        "common",
        "common in another case",
        "like the email",
        "like the email's local part",
        "like the username",
        "like the username in another case",
        "several at once",
    ],
)
def test_each_rule(password: str, context: dict[str, str], expected: list[str]) -> None:
    assert password_problems(password, **context) == expected


def test_exactly_eight_characters_is_long_enough() -> None:
    assert TOO_SHORT not in password_problems("Xq7#pL2m")
    assert TOO_SHORT in password_problems("Xq7#pL2")


def test_similarity_is_only_checked_against_given_values() -> None:
    assert password_problems("margaret.hamilton") == []
    assert password_problems("Tq9!unrelated-words", email="margaret@example.com", username="margaret") == []


def test_check_password_lists_every_problem_under_the_field() -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_password("1234567", field="new_password")
    assert caught.value.extra["invalid_params"] == [
        {"name": "new_password", "reason": reason} for reason in (TOO_SHORT, NUMERIC, COMMON)
    ]
    assert caught.value.detail == f"{TOO_SHORT} {NUMERIC} {COMMON}"


# --- JWT issuer ------------------------------------------------------------------------------------

SECRET = "unit-test-secret-key-0123456789abcdefghij"
ACCESS_TTL, REFRESH_TTL = timedelta(minutes=15), timedelta(hours=24)


def make_issuer(
    secret: str = SECRET, issuer: str = "avthrift", audience: str = "avthrift-api"
) -> JwtTokenIssuer:
    return JwtTokenIssuer(
        secret=secret, issuer=issuer, audience=audience, access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL
    )


def make_user(**changes: Any) -> User:
    fields: dict[str, Any] = {
        "id": 7,
        "username": "ada",
        "email": "ada@example.com",
        "password_hash": "x",
        "is_staff": False,
        "date_joined": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return User(**(fields | changes))


def wall_now() -> datetime:
    return datetime.now(UTC)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def payload_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_tokens_round_trip() -> None:
    issuer, now = make_issuer(), wall_now()
    family = issuer.new_family()
    tokens = issuer.issue(make_user(is_staff=True), family, now)

    access = issuer.read(tokens.access, now, expected="access")
    refresh = issuer.read(tokens.refresh, now, expected="refresh")

    assert (access.type, access.user_id, access.family, access.is_staff) == ("access", 7, family, True)
    assert (refresh.type, refresh.user_id, refresh.family) == ("refresh", 7, family)
    assert access.jti != refresh.jti
    assert refresh == tokens.refresh_claims
    assert access.expires_at == now.replace(microsecond=0) + ACCESS_TTL
    assert refresh.expires_at == now.replace(microsecond=0) + REFRESH_TTL
    assert issuer.read(tokens.refresh, now).type == "refresh"  # no expectation: either type
    claims = payload_of(tokens.access)
    assert {k: claims[k] for k in ("iss", "aud", "sub", "typ", "fam")} == {
        "iss": "avthrift",
        "aud": "avthrift-api",
        "sub": "7",
        "typ": "access",
        "fam": family,
    }


def test_families_are_fresh_and_unguessable() -> None:
    issuer = make_issuer()
    families = {issuer.new_family() for _ in range(100)}
    assert len(families) == 100
    assert all(len(family) >= 20 and re.fullmatch(r"[A-Za-z0-9_-]+", family) for family in families)


def test_the_expected_type_is_enforced() -> None:
    issuer, now = make_issuer(), wall_now()
    tokens = issuer.issue(make_user(), issuer.new_family(), now)
    with pytest.raises(InvalidTokenError):
        issuer.read(tokens.refresh, now, expected="access")
    with pytest.raises(InvalidTokenError):
        issuer.read(tokens.access, now, expected="refresh")


def test_expiry_is_judged_by_the_given_now() -> None:
    issuer, now = make_issuer(), wall_now()
    tokens = issuer.issue(make_user(), issuer.new_family(), now)
    issued = now.replace(microsecond=0)

    issuer.read(tokens.access, issued + ACCESS_TTL - timedelta(seconds=1), expected="access")
    with pytest.raises(InvalidTokenError, match="expired"):
        issuer.read(tokens.access, issued + ACCESS_TTL, expected="access")
    issuer.read(tokens.refresh, issued + REFRESH_TTL - timedelta(seconds=1), expected="refresh")
    with pytest.raises(InvalidTokenError, match="expired"):
        issuer.read(tokens.refresh, issued + REFRESH_TTL + timedelta(seconds=1), expected="refresh")


def test_time_is_the_given_now_not_the_wall_clock() -> None:
    issuer, then = make_issuer(), datetime(2020, 5, 1, 9, 30, tzinfo=UTC)
    tokens = issuer.issue(make_user(), issuer.new_family(), then)

    assert issuer.read(tokens.access, then + timedelta(minutes=1), expected="access").user_id == 7
    with pytest.raises(InvalidTokenError, match="expired"):
        issuer.read(tokens.access, wall_now(), expected="access")
    with pytest.raises(InvalidTokenError):  # issued after "now"
        issuer.read(tokens.access, then - timedelta(hours=1), expected="access")


def _hs512(claims: dict[str, Any]) -> str:
    """Signed by hand: PyJWT warns (an error in this suite) about a 40-byte key for HS512."""
    signing_input = (
        f"{b64(json.dumps({'alg': 'HS512', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}"
    )
    mac = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha512).digest()
    return f"{signing_input}.{b64(mac)}"


def _none(claims: dict[str, Any]) -> str:
    return f"{b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}."


@pytest.mark.parametrize("forge", [_hs512, _none], ids=["HS512", "none"])
def test_the_algorithm_is_pinned(forge: Any) -> None:
    issuer, now = make_issuer(), wall_now()
    claims = payload_of(issuer.issue(make_user(), issuer.new_family(), now).access)
    # the control: the same claims, HS256 with the same key, are accepted
    issuer.read(jwt.encode(claims, SECRET, algorithm="HS256"), now, expected="access")
    with pytest.raises(InvalidTokenError):
        issuer.read(forge(claims), now, expected="access")


@pytest.mark.parametrize(
    "other",
    [
        make_issuer(secret="another-secret-key-0123456789abcdefghijkl"),
        make_issuer(issuer="someone-else"),
        make_issuer(audience="another-api"),
    ],
    ids=["other key", "other issuer", "other audience"],
)
def test_tokens_of_another_issuer_are_refused(other: JwtTokenIssuer) -> None:
    now = wall_now()
    token = other.issue(make_user(), other.new_family(), now).access
    with pytest.raises(InvalidTokenError):
        make_issuer().read(token, now)


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "jti", "typ", "fam"])
def test_every_claim_is_required(claim: str) -> None:
    issuer, now = make_issuer(), wall_now()
    claims = payload_of(issuer.issue(make_user(), issuer.new_family(), now).access)
    del claims[claim]
    with pytest.raises(InvalidTokenError):
        issuer.read(jwt.encode(claims, SECRET, algorithm="HS256"), now)


@pytest.mark.parametrize(
    "changes",
    [{"typ": "id"}, {"sub": "seven"}, {"iat": "yesterday"}, {"iat": int(time.time()) + 3600}],
    ids=["unknown type", "non-numeric subject", "non-numeric iat", "iat in the future"],
)
def test_malformed_claims_are_refused(changes: dict[str, Any]) -> None:
    issuer, now = make_issuer(), wall_now()
    claims = payload_of(issuer.issue(make_user(), issuer.new_family(), now).access)
    with pytest.raises(InvalidTokenError):
        issuer.read(jwt.encode(claims | changes, SECRET, algorithm="HS256"), now)


@pytest.mark.parametrize("token", ["", "x", "a.b.c", "a.b", "...."])
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(InvalidTokenError):
        make_issuer().read(token, wall_now())


# --- Emailed-link tokens ---------------------------------------------------------------------------

LINK_NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_link_token_checks_against_what_it_was_made_for() -> None:
    tokens = HmacLinkTokens(SECRET)
    token = tokens.make("reset", 7, "hash|ada@example.com|True", LINK_NOW)

    assert re.fullmatch(r"[0-9a-z]+-[0-9a-f]{40}", token)
    assert tokens.check("reset", 7, "hash|ada@example.com|True", token, LINK_NOW, HOUR)


@pytest.mark.parametrize(
    ("purpose", "user_id", "state", "secret"),
    [
        ("reset", 7, "hash2|ada@example.com|True", SECRET),
        ("reset", 7, "hash|ada@example.com|False", SECRET),
        ("verify", 7, "hash|ada@example.com|True", SECRET),
        ("change", 7, "hash|ada@example.com|True", SECRET),
        ("reset", 8, "hash|ada@example.com|True", SECRET),
        ("reset", 7, "hash|ada@example.com|True", SECRET + "x"),
    ],
    ids=[
        "new password hash",
        "deactivated",
        "other purpose",
        "other purpose 2",
        "other user",
        "other secret",
    ],
)
def test_a_link_token_dies_with_any_change(purpose: Any, user_id: int, state: str, secret: str) -> None:
    token = HmacLinkTokens(SECRET).make("reset", 7, "hash|ada@example.com|True", LINK_NOW)
    assert not HmacLinkTokens(secret).check(purpose, user_id, state, token, LINK_NOW, HOUR)


def test_a_link_token_lives_exactly_max_age() -> None:
    tokens = HmacLinkTokens(SECRET)
    token = tokens.make("verify", 7, "s", LINK_NOW)

    assert tokens.check("verify", 7, "s", token, LINK_NOW + HOUR, HOUR)
    assert not tokens.check("verify", 7, "s", token, LINK_NOW + HOUR + timedelta(seconds=1), HOUR)
    assert not tokens.check("verify", 7, "s", token, LINK_NOW - timedelta(seconds=1), HOUR)  # from the future
    assert tokens.check("verify", 7, "s", token, LINK_NOW + 3 * HOUR, 3 * HOUR)


def _flip(text: str, index: int) -> str:
    replacement = "0" if text[index] != "0" else "1"
    return text[:index] + replacement + text[index + 1 :]


def test_a_tampered_link_token_is_refused() -> None:
    tokens = HmacLinkTokens(SECRET)
    token = tokens.make("change", 7, "new@example.com", LINK_NOW)
    stamp, mac = token.split("-")
    later = tokens.make("change", 7, "new@example.com", LINK_NOW + HOUR).split("-")[0]

    forgeries = [_flip(token, i) for i in range(len(token)) if token[i] != "-"]
    forgeries += [
        f"{later}-{mac}",  # a fresher issue time on an old signature
        f"{stamp}-{mac[:-1]}",
        f"{stamp}-{mac}0",
        f"{stamp}-{mac.upper()}",
        stamp,
        f"{stamp}-",
        f"-{mac}",
        "",
        "-",
        "!!-" + mac,
    ]
    assert [f for f in forgeries if tokens.check("change", 7, "new@example.com", f, LINK_NOW, HOUR)] == []


# --- argon2id hasher -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hasher() -> Iterator[Argon2PasswordHasher]:
    argon2 = Argon2PasswordHasher()
    yield argon2
    argon2.close()


async def test_hashes_are_argon2id_at_owasp_cost(hasher: Argon2PasswordHasher) -> None:
    first, second = await hasher.hash(STRONG), await hasher.hash(STRONG)
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second  # salted
    assert await hasher.verify(STRONG, first)
    assert await hasher.verify(STRONG, second)
    assert not await hasher.verify(STRONG + " ", first)
    assert not await hasher.verify("", first)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "not-a-hash",
        "$argon2id$v=19$m=19456,t=2,p=1$garbage",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "pbkdf2_sha256$600000$salt$hash",
    ],
    ids=["empty", "text", "truncated", "no digest", "bcrypt", "django pbkdf2"],
)
async def test_a_malformed_hash_verifies_false(hasher: Argon2PasswordHasher, stored: str) -> None:
    assert await hasher.verify(STRONG, stored) is False


async def test_the_dummy_verification_costs_a_real_verification(hasher: Argon2PasswordHasher) -> None:
    stored = await hasher.hash(STRONG)
    start = time.perf_counter()
    await hasher.verify("wrong password", stored)
    real = time.perf_counter() - start
    start = time.perf_counter()
    assert await hasher.verify_dummy("wrong password") is None
    dummy = time.perf_counter() - start
    assert dummy > real / 2, f"dummy {dummy * 1000:.1f} ms vs real {real * 1000:.1f} ms"


async def test_hashing_does_not_block_the_event_loop(hasher: Argon2PasswordHasher) -> None:
    ticks: list[float] = []
    stop = asyncio.Event()

    async def tick() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.005)
    start = time.perf_counter()
    await hasher.hash(STRONG)
    end = time.perf_counter()
    stop.set()
    await ticker

    during = [t for t in ticks if start <= t <= end]
    gaps = [b - a for a, b in itertools.pairwise(ticks) if b >= start and a <= end]
    report = f"hash {1000 * (end - start):.1f} ms, {len(during)} ticks, longest gap {1000 * max(gaps):.1f} ms"
    # A hash on the loop's thread would stop the ticks for its whole duration.
    assert len(during) >= 5, report
    assert max(gaps) < (end - start) / 2, report
