from cyclopts import App
from dishka import Scope

from avthrift.domain.shared.idempotency_use_cases import CleanupIdempotencyRecords
from avthrift.entrypoints.cli.runtime import app_container

idempotency_app = App(name="idempotency", help="Records of requests sent with an Idempotency-Key.")


def describe(count: int) -> str:
    return f"Deleted {count} expired idempotency records."


@idempotency_app.command
async def cleanup() -> None:
    """Delete expired idempotency records (the replacement of `cleanup_idempotency`).

    Answers older than `IDEMPOTENCY_TTL_HOURS` and claims whose lease ran out without an answer
    are deleted, in batches of short transactions. An expired record is never replayed even before
    this runs; it only tidies up. With `IDEMPOTENCY_STORE=redis` there is nothing to delete: Redis
    expires the records by itself.
    """
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        cleanup_records = await request.get(CleanupIdempotencyRecords)
        deleted = await cleanup_records()
    print(describe(deleted))
