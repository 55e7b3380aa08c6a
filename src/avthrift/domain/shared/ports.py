"""Ports shared by every bounded context."""

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self


class Clock(Protocol):
    """The one source of the current time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class UnitOfWork(Protocol):
    """One database transaction, shared by the repositories of one use case.

    `async with uow:` opens the transaction; `commit()` makes it durable. Leaving the block without
    a commit rolls everything back, including when an exception escapes. Not re-entrant.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Commit the open transaction; raises `ConflictError` when a constraint refuses it."""
        ...


class ServiceProbe(Protocol):
    """A readiness check of one backing service."""

    name: str

    async def is_up(self) -> bool:
        """Answer within a short timeout; never raises."""
        ...


class RateLimitStore(Protocol):
    """Fixed-window request counters, shared by every worker that uses the same store.

    `hit` is atomic: concurrent callers of one key each get a distinct count. Raises
    `ServiceUnavailableError` when the backing store does not answer.
    """

    async def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        """Count one request against `key`; return the count in the current window and the
        seconds until that window resets."""
        ...


class SchemaMigrator(Protocol):
    """Brings the database schema to a revision. Synchronous: it runs its own event loop.

    Every method raises `ServiceUnavailableError` when the database does not answer.
    """

    def upgrade(self, revision: str = "head") -> None: ...

    def downgrade(self, revision: str) -> None: ...

    def revision(self, message: str, *, autogenerate: bool = True) -> None: ...

    def current(self) -> tuple[str, ...]: ...

    def heads(self) -> tuple[str, ...]: ...

    def revisions(self) -> list[str]:
        """Every revision, oldest first."""
        ...

    def drift(self) -> list[str]:
        """Differences between the table definitions and the database; empty when in step."""
        ...


type ServiceProbes = tuple[ServiceProbe, ...]
