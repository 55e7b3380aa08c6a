"""The idempotency use cases over the fake store, the key rule, and the settings (contract §8)."""

from datetime import timedelta

import pytest

from avthrift.config import ConfigError, load_settings
from avthrift.domain.shared.idempotency import (
    IdempotencyInProgressError,
    IdempotencyKey,
    IdempotencyKeyReusedError,
    PendingRecord,
    Replay,
    StoredResponse,
    fingerprint,
    valid_key,
)
from avthrift.domain.shared.idempotency_use_cases import (
    CLEANUP_BATCH,
    ClaimIdempotencyKey,
    CleanupIdempotencyRecords,
    IdempotencyPolicy,
    RecordIdempotentResponse,
    ReleaseIdempotencyKey,
)
from tests.fakes import FakeIdempotencyStore, FakeUnitOfWork, FixedClock

POLICY = IdempotencyPolicy(ttl=timedelta(hours=24), lease=timedelta(seconds=60))
KEY = IdempotencyKey(caller="user:1", method="POST", route="/api/v1/cart/items", key="k-1")
BODY = b'{"variant_id": 1, "quantity": 1}'
ANSWER = StoredResponse(status=201, body=b'{"id": 1}', content_type="application/json")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store() -> FakeIdempotencyStore:
    return FakeIdempotencyStore()


@pytest.fixture
def claim(store: FakeIdempotencyStore, clock: FixedClock) -> ClaimIdempotencyKey:
    return ClaimIdempotencyKey(store, clock, POLICY)


@pytest.mark.parametrize("key", ["a", "k" * 255, "8e03978e-40d5-43e8-bc93-6894a57f9324", "a b", "!~"])
def test_keys_of_1_to_255_printable_ascii_characters_are_valid(key: str) -> None:
    assert valid_key(key)


@pytest.mark.parametrize("key", ["", "k" * 256, "café", "tab\there", "new\nline", "\x7f"])
def test_other_keys_are_not(key: str) -> None:
    assert not valid_key(key)


def test_the_fingerprint_is_the_sha256_of_the_raw_body() -> None:
    assert fingerprint(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert fingerprint(b'{"a":1}') != fingerprint(b'{"a": 1}')


async def test_the_first_claim_is_pending_until_the_answer_expires(
    claim: ClaimIdempotencyKey, clock: FixedClock
) -> None:
    record = await claim(KEY, BODY)
    assert record == PendingRecord(
        key=KEY,
        fingerprint=fingerprint(BODY),
        lease_until=clock.now() + POLICY.lease,
        expires_at=clock.now() + POLICY.ttl,
    )


async def test_a_recorded_answer_is_replayed(
    claim: ClaimIdempotencyKey, store: FakeIdempotencyStore, clock: FixedClock
) -> None:
    record = await claim(KEY, BODY)
    assert isinstance(record, PendingRecord)
    uow = FakeUnitOfWork()
    await RecordIdempotentResponse(uow, store)(record, ANSWER)
    assert uow.commits == 1
    clock.advance(hours=1)
    assert await claim(KEY, BODY) == Replay(response=ANSWER)


async def test_a_running_claim_says_retry_soon_and_another_body_is_refused(
    claim: ClaimIdempotencyKey, clock: FixedClock
) -> None:
    await claim(KEY, BODY)
    clock.advance(seconds=10)
    with pytest.raises(IdempotencyInProgressError) as caught:
        await claim(KEY, BODY)
    assert caught.value.retry_after_seconds == 5  # 50 s of lease left, capped
    clock.advance(seconds=48)
    with pytest.raises(IdempotencyInProgressError) as caught:
        await claim(KEY, BODY)
    assert caught.value.retry_after_seconds == 2
    with pytest.raises(IdempotencyKeyReusedError):
        await claim(KEY, b"{}")


async def test_a_released_key_runs_again(claim: ClaimIdempotencyKey, store: FakeIdempotencyStore) -> None:
    record = await claim(KEY, BODY)
    assert isinstance(record, PendingRecord)
    await ReleaseIdempotencyKey(store)(record)
    assert isinstance(await claim(KEY, BODY), PendingRecord)


async def test_a_request_that_outlived_its_lease_leaves_its_successor_alone(
    claim: ClaimIdempotencyKey, store: FakeIdempotencyStore, clock: FixedClock
) -> None:
    first = await claim(KEY, BODY)
    clock.advance(seconds=61)
    second = await claim(KEY, BODY)  # the same body: only the lease tells the two claims apart
    assert isinstance(first, PendingRecord)
    assert isinstance(second, PendingRecord)
    late = StoredResponse(status=201, body=b'{"id": 0}', content_type="application/json")

    await ReleaseIdempotencyKey(store)(first)
    await RecordIdempotentResponse(FakeUnitOfWork(), store)(first, late)

    with pytest.raises(IdempotencyInProgressError):
        await claim(KEY, BODY)
    await RecordIdempotentResponse(FakeUnitOfWork(), store)(second, ANSWER)
    assert await claim(KEY, BODY) == Replay(response=ANSWER)


async def test_cleanup_deletes_every_expired_record_in_batches(
    claim: ClaimIdempotencyKey, store: FakeIdempotencyStore, clock: FixedClock
) -> None:
    for number in range(CLEANUP_BATCH + 3):
        await claim(IdempotencyKey(caller="user:1", method="POST", route="/r", key=str(number)), BODY)
    live = await claim(KEY, BODY)
    clock.advance(seconds=61)
    await claim(KEY, BODY)  # taken over: live again
    uow = FakeUnitOfWork()

    assert await CleanupIdempotencyRecords(uow, store, clock)() == CLEANUP_BATCH + 3
    assert uow.commits == 2
    assert list(store.records) == [KEY]
    assert isinstance(live, PendingRecord)


def test_idempotency_settings_have_defaults_and_limits() -> None:
    settings = load_settings({}, env_file=None)
    assert (
        settings.idempotency_store,
        settings.idempotency_ttl_hours,
        settings.idempotency_lease_seconds,
    ) == (
        "sql",
        24,
        60,
    )
    redis = load_settings({"IDEMPOTENCY_STORE": "Redis", "REDIS_URL": "redis://r:6379/0"}, env_file=None)
    assert redis.idempotency_store == "redis"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"IDEMPOTENCY_STORE": "redis"}, "IDEMPOTENCY_STORE: redis needs REDIS_URL to be set"),
        (
            {"IDEMPOTENCY_STORE": "memcached"},
            "IDEMPOTENCY_STORE: expected one of sql, redis, got 'memcached'",
        ),
        ({"IDEMPOTENCY_TTL_HOURS": "0"}, "IDEMPOTENCY_TTL_HOURS: must be at least 1, got 0"),
        (
            {"IDEMPOTENCY_LEASE_SECONDS": "soon"},
            "IDEMPOTENCY_LEASE_SECONDS: expected a whole number, got 'soon'",
        ),
    ],
)
def test_bad_idempotency_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ, env_file=None)
    assert str(caught.value) == message
