"""`Idempotency-Key` on the cart's POST routes and checkout, through the ASGI app on both engines
(contract §8), with the records in the database and, where marked, in Redis."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Litestar, Request, post
from litestar.testing import AsyncTestClient
from redis import Redis as SyncRedis
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.redis.idempotency import RedisIdempotencyStore
from avthrift.adapters.sqlalchemy.repositories.carts import SqlAlchemyCartRepository
from avthrift.adapters.sqlalchemy.repositories.idempotency import SqlAlchemyIdempotencyStore
from avthrift.bootstrap import make_container
from avthrift.config import Settings
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.shared.errors import ServiceUnavailableError
from avthrift.domain.shared.idempotency import (
    IdempotencyKey,
    IdempotencyStore,
    PendingRecord,
    StoredResponse,
    fingerprint,
)
from avthrift.domain.shared.idempotency_use_cases import RecordIdempotentResponse, ReleaseIdempotencyKey
from avthrift.domain.shared.ports import Clock, UnitOfWork
from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.idempotency import IDEMPOTENT, pending_record
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE, RateLimitProvider
from tests.cart_data import (
    CART,
    CART_RATES,
    GUEST,
    cart_items,
    fetch,
    session_id,
    shopper,
    stocked_variant,
)
from tests.conftest import BASE_URL, SettingsFactory

type Client = AsyncTestClient[Litestar]

ITEMS = f"{CART}/items/"
GUEST_ITEMS = f"{GUEST}/items/"
CHECKOUT = f"{CART}/checkout/"


class ShiftedClock(Clock):
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class Outage:
    """While `error` is set, every use of the cart repository raises it; while `record_error` or
    `release_error` is, recording an idempotent answer or releasing a key raises that."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.record_error: Exception | None = None
        self.release_error: Exception | None = None


class FlakyCarts:
    def __init__(self, inner: CartRepository, outage: Outage) -> None:
        self._inner, self._outage = inner, outage

    def __getattr__(self, name: str) -> Any:
        if self._outage.error is not None:
            raise self._outage.error
        return getattr(self._inner, name)


class FlakyRecord(RecordIdempotentResponse):
    def __init__(self, uow: UnitOfWork, store: IdempotencyStore, outage: Outage) -> None:
        super().__init__(uow, store)
        self._outage = outage

    async def __call__(self, record: PendingRecord, response: StoredResponse) -> None:
        if self._outage.record_error is not None:
            raise self._outage.record_error
        await super().__call__(record, response)


class FlakyRelease(ReleaseIdempotencyKey):
    def __init__(self, store: IdempotencyStore, outage: Outage) -> None:
        super().__init__(store)
        self._outage = outage

    async def __call__(self, record: PendingRecord) -> None:
        if self._outage.release_error is not None:
            raise self._outage.release_error
        await super().__call__(record)


class SwappedProviders(Provider):
    def __init__(self, clock: Clock, outage: Outage) -> None:
        super().__init__()
        self._clock, self._outage = clock, outage

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return self._clock

    @provide(scope=Scope.REQUEST)
    def carts(self, session: AsyncSession) -> CartRepository:
        return cast(CartRepository, FlakyCarts(SqlAlchemyCartRepository(session), self._outage))

    @provide(scope=Scope.REQUEST)
    def record(self, uow: UnitOfWork, store: IdempotencyStore) -> RecordIdempotentResponse:
        return FlakyRecord(uow, store, self._outage)

    @provide(scope=Scope.REQUEST)
    def release(self, store: IdempotencyStore) -> ReleaseIdempotencyKey:
        return FlakyRelease(store, self._outage)


@post("/probe/idempotent", opt={RATE_SCOPE: "health", IDEMPOTENT: True}, status_code=200)
async def probe(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """An unguarded idempotent route (like the payment webhook): it shows what it was handed."""
    record = pending_record(request)
    if record is None:
        return {"record": None}
    return {"caller": record.key.caller, "route": record.key.route, "fingerprint": record.fingerprint}


@dataclass
class Api:
    client: Client
    app: Litestar
    clock: ShiftedClock
    outage: Outage
    database_url: str
    settings: Settings

    async def post(
        self, url: str, body: dict[str, Any] | None = None, *, key: str | None = None, **headers: str
    ) -> Any:
        if key is not None:
            headers["Idempotency-Key"] = key
        if body is None:
            return await self.client.post(url, headers=headers)
        content = json.dumps(body).encode()
        return await self.client.post(
            url, content=content, headers={"Content-Type": "application/json", **headers}
        )

    async def claim(self, key: IdempotencyKey, body: bytes) -> None:
        """Claim `key` as a request still running would, in the store the app uses (through a
        container of its own: the app's connections belong to the test client's event loop)."""
        now = self.clock.now()
        container = make_container(self.settings)
        try:
            async with container() as request_container:
                store = await request_container.get(IdempotencyStore)
                await store.claim(key, fingerprint(body), now=now, lease_until=now + timedelta(seconds=60))
        finally:
            await container.close()

    async def records(self) -> list[tuple[Any, ...]]:
        return await fetch(
            self.database_url, "SELECT caller, method, route, key, state FROM idempotency_records"
        )


@pytest.fixture(params=["sql"])
def store(request: pytest.FixtureRequest) -> dict[str, str]:
    """Where the records live: the database, or Redis (`indirect` parametrisation)."""
    if request.param == "redis":
        return {"IDEMPOTENCY_STORE": "redis", "REDIS_URL": request.getfixturevalue("redis_url")}
    return {}


@pytest.fixture
async def api(
    settings_factory: SettingsFactory, database_url: str, store: dict[str, str]
) -> AsyncIterator[Api]:
    settings = settings_factory(THROTTLE_RATES=CART_RATES, **store)
    clock, outage = ShiftedClock(), Outage()
    container = make_container(
        settings, LitestarProvider(), RateLimitProvider(), SwappedProviders(clock, outage)
    )
    app = create_app(settings, container=container, extra_route_handlers=[probe])
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield Api(client, app, clock, outage, database_url, settings)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


async def quantities(database_url: str) -> list[int]:
    return [row[3] for row in await cart_items(database_url)]


# --- replays -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("store", ["sql", "redis"], indirect=True)
async def test_a_retry_gets_the_first_answer_byte_for_byte_and_runs_once(api: Api, database_url: str) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 2}

    first = await api.post(ITEMS, body, key="add-1", **who.headers)
    again = await api.post(ITEMS, body, key="add-1", **who.headers)

    assert first.status_code == again.status_code == 201
    assert "idempotency-replayed" not in first.headers
    assert again.headers["idempotency-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers["x-request-id"]  # the usual headers still come
    assert await quantities(database_url) == [2]
    # A new key is a new request: the quantities add up.
    assert (await api.post(ITEMS, body, key="add-2", **who.headers)).status_code == 201
    assert await quantities(database_url) == [4]


async def test_a_guest_retry_is_replayed_whether_the_session_comes_as_header_or_body(
    api: Api, database_url: str
) -> None:
    variant = await stocked_variant(database_url, 5)
    session = session_id()
    by_header = {"variant_id": variant, "quantity": 1}
    by_body = {"variant_id": variant, "quantity": 1, "session_id": session}

    first = await api.post(GUEST_ITEMS, by_header, key="g-1", **{"X-Session-Id": session})
    again = await api.post(GUEST_ITEMS, by_header, key="g-1", **{"X-Session-Id": session})
    assert (first.status_code, again.headers["idempotency-replayed"]) == (201, "true")
    assert again.content == first.content

    second = await api.post(GUEST_ITEMS, by_body, key="g-2")
    repeat = await api.post(GUEST_ITEMS, by_body, key="g-2")
    assert (second.status_code, repeat.headers["idempotency-replayed"]) == (201, "true")
    assert repeat.content == second.content
    assert await quantities(database_url) == [2]
    assert {row[0] for row in await api.records()} == {f"guest:{session}"}


async def test_the_other_cart_posts_are_idempotent_too(api: Api, database_url: str) -> None:
    who = await shopper(api.client)
    guest = {"X-Session-Id": session_id()}
    variant = await stocked_variant(database_url, 5)
    await api.post(GUEST_ITEMS, {"variant_id": variant, "quantity": 1}, **guest)
    calls = [
        (f"{CART}/merge-guest/", who.headers | guest, {"status": "merged"}),
        (f"{CART}/clear/", who.headers, {"status": "cleared"}),
        (f"{CART}/abandon/", who.headers, {"status": "abandoned"}),
        (f"{GUEST}/clear/", guest, {"status": "cleared"}),
    ]
    for url, headers, expected in calls:
        first = await api.post(url, key=f"k-{url}", **headers)
        again = await api.post(url, key=f"k-{url}", **headers)
        assert (first.status_code, first.json()) == (200, expected), url
        assert (again.status_code, again.content, again.headers["idempotency-replayed"]) == (
            200,
            first.content,
            "true",
        ), url
    assert sorted(row[2] for row in await api.records()) == sorted(
        url.rstrip("/") for url, _, _ in calls
    )  # the concrete path, without its trailing slash


async def test_a_stored_client_error_is_replayed_even_when_a_rerun_would_succeed(
    api: Api, database_url: str
) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 1)
    body = {"variant_id": variant, "quantity": 2}
    refused = await api.post(ITEMS, body, key="short", **who.headers)
    assert_problem(refused, 400, "insufficient_stock")
    other = await stocked_variant(database_url, 5)
    again = await api.post(ITEMS, {"variant_id": other, "quantity": 1}, key="short", **who.headers)
    assert_problem(again, 422, "idempotency_key_reused")
    replayed = await api.post(ITEMS, body, key="short", **who.headers)
    assert (replayed.status_code, replayed.content) == (400, refused.content)
    assert replayed.headers["content-type"] == "application/problem+json"
    assert replayed.headers["idempotency-replayed"] == "true"


# --- refusals ------------------------------------------------------------------------------------------


async def test_the_same_key_with_another_body_is_422_and_changes_nothing(api: Api, database_url: str) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    await api.post(ITEMS, {"variant_id": variant, "quantity": 1}, key="k", **who.headers)
    response = await api.post(ITEMS, {"variant_id": variant, "quantity": 3}, key="k", **who.headers)
    body = assert_problem(response, 422, "idempotency_key_reused")
    assert body["status"] == 422
    assert await quantities(database_url) == [1]


@pytest.mark.parametrize("store", ["sql", "redis"], indirect=True)
async def test_a_key_still_in_flight_is_409_with_retry_after(api: Api, database_url: str) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    raw = json.dumps(body).encode()
    await api.claim(
        IdempotencyKey(caller=f"user:{who.id}", method="POST", route=ITEMS.rstrip("/"), key="busy"), raw
    )

    response = await api.post(ITEMS, body, key="busy", **who.headers)
    assert_problem(response, 409, "idempotency_in_progress")
    assert 1 <= int(response.headers["retry-after"]) <= 5
    other = await api.post(ITEMS, {"variant_id": variant, "quantity": 2}, key="busy", **who.headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert await quantities(database_url) == []

    api.clock.offset = timedelta(seconds=61)  # the claim's lease runs out: the next request runs
    taken = await api.post(ITEMS, body, key="busy", **who.headers)
    assert taken.status_code == 201
    assert "idempotency-replayed" not in taken.headers
    assert await quantities(database_url) == [1]


@pytest.mark.parametrize(
    ("error", "status"),
    [(ServiceUnavailableError("The database is unavailable."), 503), (RuntimeError(), 500)],
)
async def test_a_server_error_is_not_recorded_so_a_retry_runs_again(
    api: Api, database_url: str, error: Exception, status: int
) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    api.outage.error = error
    failed = await api.post(ITEMS, body, key="retry-me", **who.headers)
    assert failed.status_code == status
    assert await api.records() == []

    api.outage.error = None
    retried = await api.post(ITEMS, body, key="retry-me", **who.headers)
    assert retried.status_code == 201
    assert "idempotency-replayed" not in retried.headers
    assert await quantities(database_url) == [1]
    assert [row[4] for row in await api.records()] == ["done"]


async def test_an_answer_that_cannot_be_recorded_is_still_sent(api: Api, database_url: str) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    api.outage.record_error = RuntimeError("the record store broke")

    answered = await api.post(ITEMS, body, key="unrecorded", **who.headers)

    assert answered.status_code == 201, answered.text  # the work is committed: the client learns so
    assert answered.json()["quantity"] == 1
    assert await quantities(database_url) == [1]
    # The claim stays until its lease ends: a retry meanwhile is told to wait, not run again.
    api.outage.record_error = None
    assert_problem(
        await api.post(ITEMS, body, key="unrecorded", **who.headers), 409, "idempotency_in_progress"
    )
    assert [row[4] for row in await api.records()] == ["in_flight"]
    assert await quantities(database_url) == [1]


async def test_a_key_that_cannot_be_released_leaves_the_server_error_as_it_was(
    api: Api, database_url: str
) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    api.outage.error = ServiceUnavailableError("The database is unavailable.")
    api.outage.release_error = RuntimeError("the record store broke")

    failed = await api.post(ITEMS, {"variant_id": variant, "quantity": 1}, key="stuck", **who.headers)

    body = assert_problem(failed, 503, "service_unavailable")
    assert body["detail"] == "The database is unavailable."
    assert [row[4] for row in await api.records()] == ["in_flight"]  # it frees itself with its lease


@pytest.mark.parametrize("store", ["sql", "redis"], indirect=True)
async def test_a_keyed_checkout_is_replayed_byte_for_byte_from_either_store(
    api: Api, database_url: str, store: dict[str, str]
) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 2)
    assert (await api.post(ITEMS, {"variant_id": variant, "quantity": 1}, **who.headers)).status_code == 201

    first = await api.post(CHECKOUT, key="checkout-1", **who.headers)
    again = await api.post(CHECKOUT, key="checkout-1", **who.headers)

    assert first.status_code == again.status_code == 200, first.text
    assert "idempotency-replayed" not in first.headers
    assert again.headers["idempotency-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert len(await fetch(database_url, "SELECT id FROM orders")) == 1
    rows = [(row[0], row[2], row[4]) for row in await api.records()]
    if "REDIS_URL" in store:  # recorded by the middleware after the commit, in Redis only
        assert rows == []
        with SyncRedis.from_url(store["REDIS_URL"]) as client:
            [name] = client.keys("avthrift:idempotency:*")
            assert client.hget(name, "state") == b"done"
    else:  # recorded with the order, in its transaction
        assert rows == [(f"user:{who.id}", CHECKOUT.rstrip("/"), "done")]


@pytest.mark.parametrize(
    "key",
    ["x" * 256, "", "café", "tab\there"],
    ids=["too-long", "empty", "non-ascii", "control"],
)
async def test_a_malformed_key_is_400_and_nothing_runs(api: Api, database_url: str, key: str) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    headers = {**who.headers, "Content-Type": "application/json"}
    response = await api.client.post(
        ITEMS,
        content=json.dumps({"variant_id": variant, "quantity": 1}).encode(),
        headers=[*headers.items(), ("Idempotency-Key", key.encode("latin-1"))],
    )
    assert_problem(response, 400, "invalid_idempotency_key")
    assert await quantities(database_url) == []


async def test_the_longest_key_and_every_printable_character_are_accepted(api: Api) -> None:
    for key in ("k" * 255, "".join(chr(code) for code in range(0x21, 0x7F)), "a b"):
        response = await api.post("/probe/idempotent", {}, key=key)
        assert response.status_code == 200, key


# --- scope ---------------------------------------------------------------------------------------------


async def test_another_user_with_the_same_key_runs_their_own_request(api: Api, database_url: str) -> None:
    alice, bob = await shopper(api.client), await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    mine = await api.post(ITEMS, body, key="same", **alice.headers)
    theirs = await api.post(ITEMS, body, key="same", **bob.headers)
    assert mine.status_code == theirs.status_code == 201
    assert "idempotency-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert await quantities(database_url) == [1, 1]


async def test_another_guest_session_with_the_same_key_runs_its_own_request(
    api: Api, database_url: str
) -> None:
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    first = await api.post(GUEST_ITEMS, body, key="same", **{"X-Session-Id": session_id()})
    second = await api.post(GUEST_ITEMS, body, key="same", **{"X-Session-Id": session_id()})
    assert first.status_code == second.status_code == 201
    assert "idempotency-replayed" not in second.headers
    assert await quantities(database_url) == [1, 1]


async def test_requests_left_to_their_guard_or_handler_record_nothing(api: Api, database_url: str) -> None:
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    assert (await api.post(ITEMS, body, key="k")).status_code == 401
    assert_problem(await api.post(GUEST_ITEMS, body, key="k"), 400, "missing_session_id")
    assert_problem(
        await api.post(GUEST_ITEMS, body, key="k", **{"X-Session-Id": "short"}), 400, "invalid_session_id"
    )
    assert await api.records() == []
    # Nothing of theirs is in the way: the same key, signed in, runs and is recorded as its own.
    who = await shopper(api.client)
    ran = await api.post(ITEMS, body, key="k", **who.headers)
    assert ran.status_code == 201
    assert "idempotency-replayed" not in ran.headers
    assert [(row[0], row[3], row[4]) for row in await api.records()] == [(f"user:{who.id}", "k", "done")]


async def test_routes_that_do_not_opt_in_ignore_the_key(api: Api, database_url: str) -> None:
    who = await shopper(api.client)
    variant = await stocked_variant(database_url, 5)
    line = (await api.post(ITEMS, {"variant_id": variant, "quantity": 1}, **who.headers)).json()
    for _ in range(2):
        patched = await api.client.patch(
            f"{ITEMS}{line['id']}/", json={"quantity": 2}, headers={**who.headers, "Idempotency-Key": "p"}
        )
        assert patched.status_code == 200
        assert "idempotency-replayed" not in patched.headers
    assert (
        await api.client.get(f"{CART}/", headers={**who.headers, "Idempotency-Key": "\x01"})
    ).status_code == 200
    assert await api.records() == []


async def test_an_oversized_body_is_413_before_any_claim(api: Api) -> None:
    response = await api.client.post(
        "/probe/idempotent",
        content=b'{"a": "' + b"x" * (1024 * 1024) + b'"}',
        headers={"Content-Type": "application/json", "Idempotency-Key": "big"},
    )
    assert_problem(response, 413, "payload_too_large")
    assert await api.records() == []


async def test_an_expired_record_is_forgotten(api: Api, database_url: str) -> None:
    variant = await stocked_variant(database_url, 5)
    body = {"variant_id": variant, "quantity": 1}
    guest = {"X-Session-Id": session_id()}  # a guest: no access token to outlive
    await api.post(GUEST_ITEMS, body, key="old", **guest)
    api.clock.offset = timedelta(hours=23, minutes=59)
    assert (await api.post(GUEST_ITEMS, body, key="old", **guest)).headers["idempotency-replayed"] == "true"
    api.clock.offset = timedelta(hours=24, seconds=1)  # IDEMPOTENCY_TTL_HOURS (24) later
    rerun = await api.post(GUEST_ITEMS, body, key="old", **guest)
    assert rerun.status_code == 201
    assert "idempotency-replayed" not in rerun.headers
    assert await quantities(database_url) == [2]


async def test_the_handler_is_handed_its_pending_record(api: Api) -> None:
    assert (await api.post("/probe/idempotent", {"a": 1})).json() == {"record": None}
    first = await api.post("/probe/idempotent/", {"a": 1}, key="p")
    assert first.json() == {
        "caller": "anon:testclient",
        "route": "/probe/idempotent",
        "fingerprint": fingerprint(json.dumps({"a": 1}).encode()),
    }
    again = await api.post("/probe/idempotent", {"a": 1}, key="p")
    assert (again.content, again.headers["idempotency-replayed"]) == (first.content, "true")


@pytest.mark.parametrize("store", ["sql", "redis"], indirect=True)
async def test_the_redis_store_serves_the_whole_app_and_the_sql_store_each_request(
    settings_factory: SettingsFactory, store: dict[str, str]
) -> None:
    container = make_container(settings_factory(**store))
    stores: list[IdempotencyStore] = []
    try:
        for _ in range(2):
            async with container() as request_container:
                stores.append(await request_container.get(IdempotencyStore))
    finally:
        await container.close()
    first, second = stores
    if "REDIS_URL" in store:  # its scripts are registered once, not on every request
        assert isinstance(first, RedisIdempotencyStore)
        assert first is second
        assert not first.joins_transaction
    else:  # it records on the request's own session
        assert isinstance(first, SqlAlchemyIdempotencyStore)
        assert first is not second
        assert first.joins_transaction


# --- OpenAPI -------------------------------------------------------------------------------------------


async def test_the_schema_documents_the_key_on_idempotent_operations_only(api: Api) -> None:
    paths = (await api.client.get("/api/schema/")).json()["paths"]
    add = paths["/api/v1/cart/items"]["post"]
    [header] = [parameter for parameter in add["parameters"] if parameter["name"] == "Idempotency-Key"]
    assert (header["in"], header.get("required", False)) == ("header", False)
    assert header["schema"]["maxLength"] == 255
    assert {"400", "409", "422"} <= set(add["responses"])
    assert "Idempotency-Replayed" in add["responses"]["201"]["headers"]
    assert "Retry-After" in add["responses"]["409"]["headers"]
    for path in ("/api/v1/cart/guest/items", "/api/v1/cart/clear", "/api/v1/cart/merge-guest"):
        assert any(p["name"] == "Idempotency-Key" for p in paths[path]["post"]["parameters"]), path
    for path, method in (("/api/v1/cart", "get"), ("/api/v1/cart/items/{item_id}", "patch")):
        names = [p["name"] for p in paths[path][method].get("parameters", [])]
        assert "Idempotency-Key" not in names, path
