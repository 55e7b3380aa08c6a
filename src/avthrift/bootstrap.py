"""Composition root: binds every port to its adapter. The only module that imports adapters."""

from collections.abc import AsyncIterator

from dishka import AsyncContainer, Provider, Scope, from_context, make_async_container, provide
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from avthrift.adapters.clock import SystemClock
from avthrift.adapters.memory.rate_limit import MemoryRateLimitStore
from avthrift.adapters.redis.client import create_redis
from avthrift.adapters.redis.probe import RedisServiceProbe
from avthrift.adapters.redis.rate_limit import RedisRateLimitStore
from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.migrator import AlembicMigrator
from avthrift.adapters.sqlalchemy.probe import SqlAlchemyServiceProbe
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.config import Settings
from avthrift.domain.shared.ports import (
    Clock,
    RateLimitStore,
    SchemaMigrator,
    ServiceProbes,
    UnitOfWork,
)


class InfrastructureProvider(Provider):
    """Process-wide resources (APP scope) and the per-request session (REQUEST scope)."""

    settings = from_context(provides=Settings, scope=Scope.APP)

    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        db = settings.database
        engine = create_engine(
            db.url,
            pool_size=db.pool_size,
            max_overflow=db.max_overflow,
            pool_timeout_seconds=db.pool_timeout_seconds,
            connect_timeout_seconds=db.connect_timeout_seconds,
            statement_timeout_ms=db.statement_timeout_ms,
            sqlite_busy_timeout_ms=db.sqlite_busy_timeout_ms,
        )
        yield engine
        await engine.dispose()

    @provide(scope=Scope.APP)
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    @provide(scope=Scope.APP)
    async def redis(self, settings: Settings) -> AsyncIterator[Redis | None]:
        if settings.redis_url is None:
            yield None
            return
        client = create_redis(settings.redis_url)
        yield client
        await client.aclose()

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return SystemClock()

    @provide(scope=Scope.APP)
    def rate_limit_store(self, redis: Redis | None) -> RateLimitStore:
        return MemoryRateLimitStore() if redis is None else RedisRateLimitStore(redis)

    @provide(scope=Scope.APP)
    def probes(self, engine: AsyncEngine, redis: Redis | None) -> ServiceProbes:
        database = SqlAlchemyServiceProbe(engine)
        return (database,) if redis is None else (database, RedisServiceProbe(redis))

    @provide(scope=Scope.APP)
    def migrator(self, settings: Settings) -> SchemaMigrator:
        return AlembicMigrator(settings.database.url)

    @provide(scope=Scope.REQUEST)
    async def session(self, factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        async with factory() as session:
            yield session

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, session: AsyncSession) -> UnitOfWork:
        return SqlAlchemyUnitOfWork(session)


def make_container(settings: Settings, *providers: Provider) -> AsyncContainer:
    """The container shared by the HTTP app, the CLI and the worker; `providers` add or override."""
    return make_async_container(InfrastructureProvider(), *providers, context={Settings: settings})
