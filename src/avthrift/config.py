"""Settings: the environment wins over `.env`, which wins over the profile defaults (contract §11).

Every value is parsed once, at start-up. A bad value raises `ConfigError` whose message is one line
naming the variable, so the process stops before it serves anything.
"""

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal
from urllib.parse import quote

import msgspec
from dotenv import dotenv_values

type Profile = Literal["dev", "test", "prod"]
type EmailBackend = Literal["console", "smtp", "file", "memory"]
type LogFormat = Literal["console", "json"]
type IdempotencyBackend = Literal["sql", "redis"]

PROFILES: Final[tuple[Profile, ...]] = ("dev", "test", "prod")
EMAIL_BACKENDS: Final[tuple[EmailBackend, ...]] = ("console", "smtp", "file", "memory")
LOG_FORMATS: Final[tuple[LogFormat, ...]] = ("console", "json")
IDEMPOTENCY_STORES: Final[tuple[IdempotencyBackend, ...]] = ("sql", "redis")
PAYMENT_GATEWAYS: Final = ("manual",)

DEV_SECRET_KEY: Final = "dev-insecure-secret-key-change-me-in-production"  # noqa: S105 - refused in prod
MIN_PROD_SECRET_KEY_LENGTH: Final = 32
OWASP_ARGON2_MEMORY_KIB: Final = 19 * 1024
OWASP_ARGON2_TIME_COST: Final = 2

PERIOD_SECONDS: Final = {"sec": 1, "min": 60, "hour": 3600, "day": 86400}

# Reference §4 (prod column), plus scopes for the endpoints the reference left unthrottled.
DEFAULT_THROTTLE_RATES: Final = {
    "health": "300/min",
    "docs": "60/min",
    "signin": "10/min",
    "signin_account": "5/min",
    "token_refresh": "60/min",
    "token_verify": "120/min",
    "signout": "60/min",
    "register": "10/min",
    "password_reset": "5/min",
    "password_reset_account": "3/hour",
    "email_verify": "5/min",
    "email_reset": "5/min",
    "account": "60/min",
    "profile": "120/min",
    "addresses": "120/min",
    "addresses_write": "60/min",
    "catalog": "240/min",
    "catalog_admin_write": "60/min",
    "inventory": "120/min",
    "cart": "120/min",
    "cart_write": "60/min",
    "orders": "60/min",
    "orders_write": "30/min",
    "payment_webhook": "120/min",
}

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(sec|min|hour|day)\s*$")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line that names the variable."""


class Rate(msgspec.Struct, frozen=True, kw_only=True):
    limit: int
    period_seconds: int


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    pool_size: int
    max_overflow: int
    pool_timeout_seconds: float
    connect_timeout_seconds: float
    statement_timeout_ms: int
    sqlite_busy_timeout_ms: int

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


class EmailSettings(msgspec.Struct, frozen=True, kw_only=True):
    backend: EmailBackend
    host: str
    port: int
    host_user: str
    host_password: str
    use_tls: bool
    use_ssl: bool
    file_path: str
    default_from: str


class AuthSettings(msgspec.Struct, frozen=True, kw_only=True):
    access_token_ttl_minutes: int
    refresh_token_ttl_hours: int
    jwt_issuer: str
    jwt_audience: str
    password_reset_ttl_minutes: int
    email_verification_ttl_hours: int
    email_change_ttl_hours: int
    password_hash_concurrency: int
    password_hash_memory_kib: int
    password_hash_time_cost: int


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    profile: Profile
    debug: bool
    secret_key: str
    allowed_hosts: tuple[str, ...]
    cors_allow_all_origins: bool
    cors_allowed_origins: tuple[str, ...]
    secure_ssl_redirect: bool
    secure_hsts_seconds: int
    trusted_proxies: tuple[str, ...]
    database: DatabaseSettings
    redis_url: str | None
    idempotency_store: IdempotencyBackend
    idempotency_ttl_hours: int
    idempotency_lease_seconds: int
    frontend_url: str
    catalog_cache_seconds: int
    cart_reservation_ttl_minutes: int
    cart_abandon_ttl_minutes: int
    cart_max_line_quantity: int
    cart_max_lines: int
    order_payment_ttl_minutes: int
    payment_gateway: str
    payment_webhook_secret: str
    email: EmailSettings
    auth: AuthSettings
    throttle_rates: dict[str, Rate]
    log_level: str
    log_format: LogFormat


class _Env:
    """Typed access to the merged variables; every parse error names its variable."""

    def __init__(self, values: Mapping[str, str | None]) -> None:
        self._values = values

    def is_set(self, name: str) -> bool:
        return bool((self._values.get(name) or "").strip())

    def text(self, name: str, default: str) -> str:
        value = self._values.get(name)
        return default if value is None else value.strip()

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        raw = self.text(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
        if value < minimum:
            raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
        return value

    def number(self, name: str, default: float) -> float:
        raw = self.text(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
        if value <= 0:
            raise ConfigError(f"{name}: must be positive, got {raw}")
        return value

    def boolean(self, name: str, *, default: bool) -> bool:
        raw = self.text(name, "true" if default else "false").lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ConfigError(f"{name}: expected true or false, got {raw!r}")

    def csv(self, name: str, default: str) -> tuple[str, ...]:
        return tuple(item.strip() for item in self.text(name, default).split(",") if item.strip())

    def choice[T: str](self, name: str, default: T, choices: tuple[T, ...]) -> T:
        raw = self.text(name, default).lower()
        for choice in choices:
            if raw == choice:
                return choice
        raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = ".env",
) -> Settings:
    """Build the settings from `environ` (default: the process environment) over `env_file`."""
    merged: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        merged.update(dotenv_values(env_file))
    merged.update(os.environ if environ is None else environ)
    env = _Env(merged)

    profile = env.choice("AVTHRIFT_ENV", "dev", PROFILES)
    prod = profile == "prod"
    database = _database(env)
    settings = Settings(
        profile=profile,
        debug=env.boolean("DEBUG", default=profile == "dev"),
        secret_key=env.text("SECRET_KEY", DEV_SECRET_KEY),
        allowed_hosts=env.csv("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"),
        cors_allow_all_origins=env.boolean("CORS_ALLOW_ALL_ORIGINS", default=not prod),
        cors_allowed_origins=env.csv("CORS_ALLOWED_ORIGINS", ""),
        secure_ssl_redirect=env.boolean("SECURE_SSL_REDIRECT", default=prod),
        secure_hsts_seconds=env.integer("SECURE_HSTS_SECONDS", 31_536_000 if prod else 0),
        trusted_proxies=_trusted_proxies(env),
        database=database,
        redis_url=_redis_url(env),
        idempotency_store=_idempotency_store(env),
        idempotency_ttl_hours=env.integer("IDEMPOTENCY_TTL_HOURS", 24, minimum=1),
        idempotency_lease_seconds=env.integer("IDEMPOTENCY_LEASE_SECONDS", 60, minimum=1),
        frontend_url=env.text("FRONTEND_URL", "http://localhost:3000").rstrip("/"),
        catalog_cache_seconds=env.integer("CATALOG_CACHE_SECONDS", 0 if profile == "test" else 5),
        cart_reservation_ttl_minutes=env.integer("CART_RESERVATION_TTL_MINUTES", 30, minimum=1),
        cart_abandon_ttl_minutes=env.integer("CART_ABANDON_TTL_MINUTES", 120, minimum=1),
        cart_max_line_quantity=env.integer("CART_MAX_LINE_QUANTITY", 10, minimum=1),
        cart_max_lines=env.integer("CART_MAX_LINES", 50, minimum=1),
        order_payment_ttl_minutes=env.integer("ORDER_PAYMENT_TTL_MINUTES", 60, minimum=1),
        payment_gateway=env.choice("PAYMENT_GATEWAY", "manual", PAYMENT_GATEWAYS),
        payment_webhook_secret=env.text("PAYMENT_WEBHOOK_SECRET", ""),
        email=_email(env, profile),
        auth=_auth(env, test=profile == "test"),
        throttle_rates=_throttle_rates(env),
        log_level=env.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
        log_format=env.choice("LOG_FORMAT", "json" if prod else "console", LOG_FORMATS),
    )
    if prod:
        _check_prod(env, settings)
    return settings


def _database(env: _Env) -> DatabaseSettings:
    return DatabaseSettings(
        url=_database_url(env),
        pool_size=env.integer("DATABASE_POOL_SIZE", 10, minimum=1),
        max_overflow=env.integer("DATABASE_MAX_OVERFLOW", 10),
        pool_timeout_seconds=env.number("DATABASE_POOL_TIMEOUT", 10.0),
        connect_timeout_seconds=env.number("DATABASE_CONNECT_TIMEOUT", 5.0),
        statement_timeout_ms=env.integer("DATABASE_STATEMENT_TIMEOUT_MS", 5000, minimum=1),
        sqlite_busy_timeout_ms=env.integer("SQLITE_BUSY_TIMEOUT_MS", 5000, minimum=1),
    )


def _database_url(env: _Env) -> str:
    if env.is_set("DATABASE_URL"):
        return normalise_database_url(env.text("DATABASE_URL", ""))
    engine = env.choice("DATABASE_ENGINE", "sqlite", ("sqlite", "postgres"))
    if engine == "sqlite":
        return f"sqlite+aiosqlite:///{env.text('DATABASE_NAME', 'db.sqlite3') or 'db.sqlite3'}"
    user = quote(env.text("DATABASE_USER", "postgres"), safe="")
    password = quote(env.text("DATABASE_PASSWORD", ""), safe="")
    host = env.text("DATABASE_HOST", "localhost")
    port = env.integer("DATABASE_PORT", 5432, minimum=1)
    name = env.text("DATABASE_NAME", "postgres")
    credentials = f"{user}:{password}" if password else user
    return f"postgresql+asyncpg://{credentials}@{host}:{port}/{name}"


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL and SQLite URLs at the async drivers; reject anything else."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError(f"DATABASE_URL: expected scheme://..., got {url!r}")
    drivers = {
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "postgresql+asyncpg": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
    }
    if scheme not in drivers:
        raise ConfigError(f"DATABASE_URL: unsupported scheme {scheme!r} (use postgresql:// or sqlite://)")
    return f"{drivers[scheme]}://{rest}"


def _redis_url(env: _Env) -> str | None:
    url = env.text("REDIS_URL", "")
    if not url:
        return None
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL: expected redis://, rediss:// or unix://, got {url!r}")
    return url


def _idempotency_store(env: _Env) -> IdempotencyBackend:
    store = env.choice("IDEMPOTENCY_STORE", "sql", IDEMPOTENCY_STORES)
    if store == "redis" and not env.is_set("REDIS_URL"):
        raise ConfigError("IDEMPOTENCY_STORE: redis needs REDIS_URL to be set")
    return store


def _trusted_proxies(env: _Env) -> tuple[str, ...]:
    proxies = env.csv("TRUSTED_PROXIES", "")
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES: {proxy!r} is not an IP address or network") from None
    return proxies


def _email(env: _Env, profile: Profile) -> EmailSettings:
    defaults: dict[Profile, EmailBackend] = {"dev": "console", "test": "memory", "prod": "smtp"}
    default_backend = defaults[profile]
    use_ssl = env.boolean("EMAIL_USE_SSL", default=False)
    use_tls = env.boolean("EMAIL_USE_TLS", default=not use_ssl)
    if use_ssl and use_tls:
        raise ConfigError("EMAIL_USE_TLS: cannot be true together with EMAIL_USE_SSL (pick one)")
    return EmailSettings(
        backend=env.choice("EMAIL_BACKEND", default_backend, EMAIL_BACKENDS),
        host=env.text("EMAIL_HOST", "localhost"),
        port=env.integer("EMAIL_PORT", 587, minimum=1),
        host_user=env.text("EMAIL_HOST_USER", ""),
        host_password=env.text("EMAIL_HOST_PASSWORD", ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        file_path=env.text("EMAIL_FILE_PATH", "var/mail"),
        default_from=env.text("DEFAULT_FROM_EMAIL", "AVThrift <noreply@example.com>"),
    )


def _auth(env: _Env, *, test: bool) -> AuthSettings:
    return AuthSettings(
        access_token_ttl_minutes=env.integer("ACCESS_TOKEN_TTL_MINUTES", 15, minimum=1),
        refresh_token_ttl_hours=env.integer("REFRESH_TOKEN_TTL_HOURS", 24, minimum=1),
        jwt_issuer=env.text("JWT_ISSUER", "avthrift") or "avthrift",
        jwt_audience=env.text("JWT_AUDIENCE", "avthrift-api") or "avthrift-api",
        password_reset_ttl_minutes=env.integer("PASSWORD_RESET_TTL_MINUTES", 60, minimum=1),
        email_verification_ttl_hours=env.integer("EMAIL_VERIFICATION_TTL_HOURS", 72, minimum=1),
        email_change_ttl_hours=env.integer("EMAIL_CHANGE_TTL_HOURS", 24, minimum=1),
        password_hash_concurrency=env.integer("PASSWORD_HASH_CONCURRENCY", 2, minimum=1),
        # OWASP's argon2id minimum (19 MiB, t=2) everywhere but in the test profile, where suites
        # that create hundreds of accounts may opt for cheaper hashes (the test profile only).
        password_hash_memory_kib=env.integer(
            "PASSWORD_HASH_MEMORY_KIB",
            OWASP_ARGON2_MEMORY_KIB,
            minimum=8 if test else OWASP_ARGON2_MEMORY_KIB,
        ),
        password_hash_time_cost=env.integer(
            "PASSWORD_HASH_TIME_COST", OWASP_ARGON2_TIME_COST, minimum=1 if test else OWASP_ARGON2_TIME_COST
        ),
    )


def parse_rate(name: str, text: str) -> Rate:
    match = _RATE.match(text)
    if match is None or int(match[1]) < 1:
        raise ConfigError(f"{name}: expected N/sec, N/min, N/hour or N/day, got {text!r}")
    return Rate(limit=int(match[1]), period_seconds=PERIOD_SECONDS[match[2]])


def _throttle_rates(env: _Env) -> dict[str, Rate]:
    rates = {scope: parse_rate("THROTTLE_RATES", text) for scope, text in DEFAULT_THROTTLE_RATES.items()}
    item: str
    for item in env.csv("THROTTLE_RATES", ""):
        scope, sep, text = item.partition("=")
        scope = scope.strip()
        if not sep:
            raise ConfigError(f"THROTTLE_RATES: expected scope=N/period, got {item!r}")
        if scope not in rates:
            raise ConfigError(f"THROTTLE_RATES: unknown scope {scope!r}")
        rates[scope] = parse_rate(f"THROTTLE_RATES ({scope})", text)
    return rates


def _check_prod(env: _Env, settings: Settings) -> None:
    key = settings.secret_key
    if key == DEV_SECRET_KEY or len(key) < MIN_PROD_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY: prod needs a random value of at least {MIN_PROD_SECRET_KEY_LENGTH} characters"
        )
    if not env.is_set("ALLOWED_HOSTS"):
        raise ConfigError("ALLOWED_HOSTS: prod needs an explicit list of host names")
    if settings.database.is_sqlite:
        raise ConfigError("DATABASE_URL: prod needs PostgreSQL, not SQLite")
    if settings.debug:
        raise ConfigError("DEBUG: must be false in prod")
