"""Composition root: binds every port to its adapter. The only module that imports adapters."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

from dishka import (
    AsyncContainer,
    Provider,
    Scope,
    from_context,
    make_async_container,
    provide,
    provide_all,
)
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from avthrift.adapters.clock import SystemClock
from avthrift.adapters.email.console import ConsoleEmailSender
from avthrift.adapters.email.file import FileEmailSender
from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.adapters.email.smtp import SmtpEmailSender
from avthrift.adapters.memory.catalog_cache import CachingCatalogReader, TtlCache
from avthrift.adapters.memory.rate_limit import MemoryRateLimitStore
from avthrift.adapters.payments.manual import ManualPaymentGateway
from avthrift.adapters.redis.client import create_redis
from avthrift.adapters.redis.idempotency import RedisIdempotencyStore
from avthrift.adapters.redis.probe import RedisServiceProbe
from avthrift.adapters.redis.rate_limit import RedisRateLimitStore
from avthrift.adapters.security.argon2_hasher import Argon2PasswordHasher
from avthrift.adapters.security.jwt_issuer import JwtTokenIssuer
from avthrift.adapters.security.link_tokens import HmacLinkTokens
from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.migrator import AlembicMigrator
from avthrift.adapters.sqlalchemy.probe import SqlAlchemyServiceProbe
from avthrift.adapters.sqlalchemy.repositories.carts import SqlAlchemyCartRepository
from avthrift.adapters.sqlalchemy.repositories.catalog_reader import SqlAlchemyCatalogReader
from avthrift.adapters.sqlalchemy.repositories.catalog_records import SqlAlchemyCatalogRecords
from avthrift.adapters.sqlalchemy.repositories.catalog_seed import SqlAlchemyDemoCatalogWriter
from avthrift.adapters.sqlalchemy.repositories.customers import (
    SqlAlchemyAddressRepository,
    SqlAlchemyContactPhones,
    SqlAlchemyCustomerProfileRepository,
)
from avthrift.adapters.sqlalchemy.repositories.idempotency import SqlAlchemyIdempotencyStore
from avthrift.adapters.sqlalchemy.repositories.inventory_reader import SqlAlchemyInventoryReader
from avthrift.adapters.sqlalchemy.repositories.orders import SqlAlchemyOrderRepository
from avthrift.adapters.sqlalchemy.repositories.refresh_tokens import SqlAlchemyRefreshTokenStore
from avthrift.adapters.sqlalchemy.repositories.stock import SqlAlchemyStockReserver
from avthrift.adapters.sqlalchemy.repositories.stock_ledger import SqlAlchemyStockLedger
from avthrift.adapters.sqlalchemy.repositories.users import SqlAlchemyUserRepository
from avthrift.adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from avthrift.config import EmailSettings, Settings
from avthrift.domain.cart.model import CartPolicy
from avthrift.domain.cart.ports import CartRepository
from avthrift.domain.cart.use_cases import merge as cart_merge
from avthrift.domain.cart.use_cases import shopping as cart_shopping
from avthrift.domain.cart.use_cases import staff as cart_staff
from avthrift.domain.cart.use_cases import stale as cart_stale
from avthrift.domain.catalog.ports import CatalogReader, CatalogRecords, DemoCatalogWriter
from avthrift.domain.catalog.use_cases import browse
from avthrift.domain.catalog.use_cases import staff as catalog_staff
from avthrift.domain.catalog.use_cases.seed import SeedDemoCatalog
from avthrift.domain.customers import use_cases as customers
from avthrift.domain.customers.ports import AddressRepository, ContactPhones, CustomerProfileRepository
from avthrift.domain.identity.links import IdentityPolicy
from avthrift.domain.identity.ports import (
    LinkTokens,
    PasswordHasher,
    RefreshTokenStore,
    TokenIssuer,
    UserRepository,
)
from avthrift.domain.identity.use_cases.account import (
    ConfirmEmailChange,
    GetAccount,
    RequestEmailChange,
    UpdateProfile,
)
from avthrift.domain.identity.use_cases.passwords import ChangePassword, RequestPasswordReset, ResetPassword
from avthrift.domain.identity.use_cases.registration import (
    ConfirmEmail,
    CreateUser,
    Register,
    RequestEmailVerification,
)
from avthrift.domain.identity.use_cases.sessions import RefreshTokens, SignIn, SignOut, VerifyToken
from avthrift.domain.inventory import use_cases as inventory
from avthrift.domain.inventory.ports import InventoryReader, StockLedger, StockReserver
from avthrift.domain.orders.model import OrderPolicy
from avthrift.domain.orders.ports import OrderRepository
from avthrift.domain.orders.use_cases import cancel as order_cancel
from avthrift.domain.orders.use_cases import checkout as order_checkout
from avthrift.domain.orders.use_cases import confirm as order_confirm
from avthrift.domain.orders.use_cases import expire as order_expire
from avthrift.domain.orders.use_cases import pay as order_pay
from avthrift.domain.orders.use_cases import reads as order_reads
from avthrift.domain.payments.ports import PaymentGateway
from avthrift.domain.shared.email import EmailSender
from avthrift.domain.shared.idempotency import IdempotencyStore
from avthrift.domain.shared.idempotency_use_cases import (
    ClaimIdempotencyKey,
    CleanupIdempotencyRecords,
    IdempotencyPolicy,
    RecordIdempotentResponse,
    ReleaseIdempotencyKey,
)
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


def make_email_sender(settings: EmailSettings) -> EmailSender:
    if settings.backend == "smtp":
        return SmtpEmailSender(
            host=settings.host,
            port=settings.port,
            username=settings.host_user,
            password=settings.host_password,
            use_tls=settings.use_tls,
            use_ssl=settings.use_ssl,
            sender=settings.default_from,
        )
    if settings.backend == "file":
        return FileEmailSender(settings.file_path, settings.default_from)
    if settings.backend == "memory":
        return MemoryEmailSender()
    return ConsoleEmailSender(settings.default_from)


class IdentityProvider(Provider):
    """Accounts, tokens and mail."""

    @provide(scope=Scope.APP)
    def hasher(self, settings: Settings) -> Iterator[PasswordHasher]:
        hasher = Argon2PasswordHasher(
            memory_kib=settings.auth.password_hash_memory_kib,
            time_cost=settings.auth.password_hash_time_cost,
            max_concurrent=settings.auth.password_hash_concurrency,
        )
        yield hasher
        hasher.close()

    @provide(scope=Scope.APP)
    def token_issuer(self, settings: Settings) -> TokenIssuer:
        auth = settings.auth
        return JwtTokenIssuer(
            secret=settings.secret_key,
            issuer=auth.jwt_issuer,
            audience=auth.jwt_audience,
            access_ttl=timedelta(minutes=auth.access_token_ttl_minutes),
            refresh_ttl=timedelta(hours=auth.refresh_token_ttl_hours),
        )

    @provide(scope=Scope.APP)
    def link_tokens(self, settings: Settings) -> LinkTokens:
        return HmacLinkTokens(settings.secret_key)

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> IdentityPolicy:
        auth = settings.auth
        return IdentityPolicy(
            frontend_url=settings.frontend_url,
            reset_ttl=timedelta(minutes=auth.password_reset_ttl_minutes),
            verify_ttl=timedelta(hours=auth.email_verification_ttl_hours),
            change_ttl=timedelta(hours=auth.email_change_ttl_hours),
        )

    @provide(scope=Scope.APP)
    def email_sender(self, settings: Settings) -> EmailSender:
        return make_email_sender(settings.email)

    users = provide(SqlAlchemyUserRepository, scope=Scope.REQUEST, provides=UserRepository)
    refresh_tokens = provide(SqlAlchemyRefreshTokenStore, scope=Scope.REQUEST, provides=RefreshTokenStore)
    use_cases = provide_all(
        SignIn,
        RefreshTokens,
        VerifyToken,
        SignOut,
        CreateUser,
        Register,
        RequestEmailVerification,
        ConfirmEmail,
        RequestPasswordReset,
        ResetPassword,
        ChangePassword,
        GetAccount,
        UpdateProfile,
        RequestEmailChange,
        ConfirmEmailChange,
        scope=Scope.REQUEST,
    )


class CustomersProvider(Provider):
    """Customer profiles and address books."""

    addresses = provide(SqlAlchemyAddressRepository, scope=Scope.REQUEST, provides=AddressRepository)
    profiles = provide(
        SqlAlchemyCustomerProfileRepository, scope=Scope.REQUEST, provides=CustomerProfileRepository
    )
    phones = provide(SqlAlchemyContactPhones, scope=Scope.REQUEST, provides=ContactPhones)
    use_cases = provide_all(
        customers.GetProfile,
        customers.UpdateProfile,
        customers.ListAddresses,
        customers.CreateAddress,
        customers.GetAddress,
        customers.UpdateAddress,
        customers.DeleteAddress,
        scope=Scope.REQUEST,
    )


class CatalogProvider(Provider):
    """Public catalog reads (read models built for speed)."""

    @provide(scope=Scope.APP)
    def cache(self, settings: Settings) -> TtlCache | None:
        seconds = settings.catalog_cache_seconds
        return TtlCache(seconds) if seconds else None

    @provide(scope=Scope.REQUEST)
    def reader(self, session: AsyncSession, cache: TtlCache | None) -> CatalogReader:
        reader = SqlAlchemyCatalogReader(session)
        return reader if cache is None else CachingCatalogReader(reader, cache)

    use_cases = provide_all(
        browse.ListCategories,
        browse.GetCategory,
        browse.ListCategoryProducts,
        browse.ListProducts,
        browse.GetProduct,
        browse.ListProductVariants,
        browse.ListProductMedia,
        browse.ListCollections,
        browse.GetCollection,
        browse.ListCollectionProducts,
        browse.ListVariants,
        browse.GetVariant,
        browse.ListAttributes,
        browse.GetAttribute,
        scope=Scope.REQUEST,
    )


class CatalogStaffProvider(Provider):
    """Staff management of the catalog."""

    records = provide(SqlAlchemyCatalogRecords, scope=Scope.REQUEST, provides=CatalogRecords)
    use_cases = provide_all(
        catalog_staff.ListRecords,
        catalog_staff.GetRecord,
        catalog_staff.CreateRecord,
        catalog_staff.UpdateRecord,
        catalog_staff.DeleteRecord,
        scope=Scope.REQUEST,
    )


class CatalogSeedProvider(Provider):
    """The demo catalog (`avthrift catalog seed`)."""

    writer = provide(SqlAlchemyDemoCatalogWriter, scope=Scope.REQUEST, provides=DemoCatalogWriter)
    seed = provide(SeedDemoCatalog, scope=Scope.REQUEST)


class InventoryProvider(Provider):
    """Stock rows, the movement ledger and the holds carts take on stock."""

    reserver = provide(SqlAlchemyStockReserver, scope=Scope.REQUEST, provides=StockReserver)
    ledger = provide(SqlAlchemyStockLedger, scope=Scope.REQUEST, provides=StockLedger)
    reader = provide(SqlAlchemyInventoryReader, scope=Scope.REQUEST, provides=InventoryReader)
    use_cases = provide_all(
        inventory.ListStockItems,
        inventory.ListMovements,
        inventory.ListReservations,
        inventory.CreateStockItem,
        inventory.RecordMovement,
        inventory.CheckLedger,
        inventory.ExpireReservations,
        scope=Scope.REQUEST,
    )


class IdempotencyProvider(Provider):
    """`Idempotency-Key` records: in the database, or in Redis (`IDEMPOTENCY_STORE`)."""

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> IdempotencyPolicy:
        return IdempotencyPolicy(
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
            lease=timedelta(seconds=settings.idempotency_lease_seconds),
        )

    @provide(scope=Scope.APP)
    def redis_store(self, settings: Settings, redis: Redis | None) -> RedisIdempotencyStore | None:
        """One Redis store for the application (it registers its scripts once), when configured;
        settings refuse `IDEMPOTENCY_STORE=redis` without `REDIS_URL`, so `redis` is there then."""
        if settings.idempotency_store == "redis" and redis is not None:
            return RedisIdempotencyStore(redis)
        return None

    @provide(scope=Scope.REQUEST)
    def store(
        self, redis_store: RedisIdempotencyStore | None, engine: AsyncEngine, session: AsyncSession
    ) -> IdempotencyStore:
        # The SQL store records on the request's session, so it is built per request.
        return redis_store if redis_store is not None else SqlAlchemyIdempotencyStore(engine, session)

    use_cases = provide_all(
        ClaimIdempotencyKey,
        RecordIdempotentResponse,
        ReleaseIdempotencyKey,
        CleanupIdempotencyRecords,
        scope=Scope.REQUEST,
    )


class CartProvider(Provider):
    """User and guest carts, their merge, staff cart actions and stale-cart abandonment."""

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> CartPolicy:
        return CartPolicy(
            reservation_ttl=timedelta(minutes=settings.cart_reservation_ttl_minutes),
            abandon_ttl=timedelta(minutes=settings.cart_abandon_ttl_minutes),
            max_line_quantity=settings.cart_max_line_quantity,
            max_lines=settings.cart_max_lines,
        )

    carts = provide(SqlAlchemyCartRepository, scope=Scope.REQUEST, provides=CartRepository)
    use_cases = provide_all(
        cart_shopping.GetCart,
        cart_shopping.AddItem,
        cart_shopping.UpdateItem,
        cart_shopping.RemoveItem,
        cart_shopping.ClearCart,
        cart_shopping.AbandonCart,
        cart_merge.MergeGuestCart,
        cart_staff.ListCarts,
        cart_staff.GetCartById,
        cart_staff.ClearCartById,
        cart_staff.AbandonCartById,
        cart_staff.MergeCartInto,
        cart_stale.AbandonStaleCarts,
        scope=Scope.REQUEST,
    )


class OrdersProvider(Provider):
    """Checkout, orders and payments."""

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> OrderPolicy:
        return OrderPolicy(
            frontend_url=settings.frontend_url,
            payment_ttl=timedelta(minutes=settings.order_payment_ttl_minutes),
        )

    @provide(scope=Scope.APP)
    def payment_gateway(self, settings: Settings) -> PaymentGateway:
        match settings.payment_gateway:
            case "manual":
                return ManualPaymentGateway()
            case other:  # config.PAYMENT_GATEWAYS refuses anything else at start-up
                raise ValueError(f"unknown payment gateway {other!r}")

    orders = provide(SqlAlchemyOrderRepository, scope=Scope.REQUEST, provides=OrderRepository)
    order_use_cases = provide_all(
        order_checkout.Checkout,
        order_reads.ListOrders,
        order_reads.GetOrder,
        order_cancel.CancelOrder,
        order_pay.PayOrder,
        order_confirm.MarkOrderPaid,
        order_confirm.ConfirmPayment,
        order_expire.ExpireUnpaidOrders,
        scope=Scope.REQUEST,
    )


def make_container(settings: Settings, *providers: Provider) -> AsyncContainer:
    """The container shared by the HTTP app, the CLI and the worker; `providers` add or override."""
    return make_async_container(
        InfrastructureProvider(),
        IdentityProvider(),
        CustomersProvider(),
        CatalogProvider(),
        CatalogStaffProvider(),
        CatalogSeedProvider(),
        InventoryProvider(),
        IdempotencyProvider(),
        CartProvider(),
        OrdersProvider(),
        *providers,
        context={Settings: settings},
    )
