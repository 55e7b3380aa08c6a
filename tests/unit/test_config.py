from pathlib import Path

import pytest

from avthrift.config import DEFAULT_THROTTLE_RATES, ConfigError, Rate, load_settings

GOOD_PROD = {
    "AVTHRIFT_ENV": "prod",
    "SECRET_KEY": "k" * 40,
    "ALLOWED_HOSTS": "api.example.com",
    "DATABASE_URL": "postgresql://app:secret@db:5432/avthrift",
}


def load(**environ: str) -> object:
    return load_settings(environ, env_file=None)


def error_of(**environ: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ, env_file=None)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_dev_defaults_run_on_embedded_sqlite_without_redis() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.profile == "dev"
    assert settings.debug is True
    assert settings.database.url == "sqlite+aiosqlite:///db.sqlite3"
    assert settings.database.is_sqlite
    assert settings.redis_url is None
    assert settings.email.backend == "console"
    assert settings.log_format == "console"
    assert settings.cart_reservation_ttl_minutes == 30
    assert settings.cart_abandon_ttl_minutes == 120
    assert settings.throttle_rates["signin"] == Rate(limit=10, period_seconds=60)
    assert set(settings.throttle_rates) == set(DEFAULT_THROTTLE_RATES)


def test_environment_wins_over_env_file_which_wins_over_defaults(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("FRONTEND_URL=https://from-file.example\nCART_ABANDON_TTL_MINUTES=45\n")
    settings = load_settings({"FRONTEND_URL": "https://from-env.example/"}, env_file=env_file)
    assert settings.frontend_url == "https://from-env.example"
    assert settings.cart_abandon_ttl_minutes == 45
    assert settings.cart_reservation_ttl_minutes == 30


def test_missing_env_file_is_not_an_error(tmp_path: Path) -> None:
    assert load_settings({}, env_file=tmp_path / "absent").profile == "dev"


def test_database_url_wins_over_engine_parts() -> None:
    settings = load_settings(
        {"DATABASE_URL": "postgres://u:p@h:6543/n", "DATABASE_ENGINE": "sqlite", "DATABASE_NAME": "x"},
        env_file=None,
    )
    assert settings.database.url == "postgresql+asyncpg://u:p@h:6543/n"


def test_postgres_url_is_built_from_parts_with_quoting() -> None:
    settings = load_settings(
        {
            "DATABASE_ENGINE": "postgres",
            "DATABASE_USER": "shop",
            "DATABASE_PASSWORD": "p@ss/word",
            "DATABASE_HOST": "db.internal",
            "DATABASE_PORT": "6432",
            "DATABASE_NAME": "avthrift",
        },
        env_file=None,
    )
    assert settings.database.url == "postgresql+asyncpg://shop:p%40ss%2Fword@db.internal:6432/avthrift"
    assert not settings.database.is_sqlite


def test_sqlite_url_uses_the_async_driver() -> None:
    settings = load_settings({"DATABASE_URL": "sqlite:///var/app.sqlite3"}, env_file=None)
    assert settings.database.url == "sqlite+aiosqlite:///var/app.sqlite3"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"DATABASE_PORT": "abc", "DATABASE_ENGINE": "postgres"},
            "DATABASE_PORT: expected a whole number, got 'abc'",
        ),
        ({"CART_RESERVATION_TTL_MINUTES": "0"}, "CART_RESERVATION_TTL_MINUTES: must be at least 1, got 0"),
        ({"DEBUG": "maybe"}, "DEBUG: expected true or false, got 'maybe'"),
        ({"AVTHRIFT_ENV": "staging"}, "AVTHRIFT_ENV: expected one of dev, test, prod, got 'staging'"),
        ({"DATABASE_ENGINE": "mysql"}, "DATABASE_ENGINE: expected one of sqlite, postgres, got 'mysql'"),
        (
            {"DATABASE_URL": "mysql://x/y"},
            "DATABASE_URL: unsupported scheme 'mysql' (use postgresql:// or sqlite://)",
        ),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL: expected scheme://..., got 'nonsense'"),
        ({"DATABASE_POOL_TIMEOUT": "-1"}, "DATABASE_POOL_TIMEOUT: must be positive, got -1"),
        (
            {"REDIS_URL": "localhost:6379"},
            "REDIS_URL: expected redis://, rediss:// or unix://, got 'localhost:6379'",
        ),
        (
            {"TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"},
            "TRUSTED_PROXIES: 'not-an-ip' is not an IP address or network",
        ),
        ({"THROTTLE_RATES": "nope=1/min"}, "THROTTLE_RATES: unknown scope 'nope'"),
        ({"THROTTLE_RATES": "signin"}, "THROTTLE_RATES: expected scope=N/period, got 'signin'"),
        (
            {"THROTTLE_RATES": "signin=5/week"},
            "THROTTLE_RATES (signin): expected N/sec, N/min, N/hour or N/day, got '5/week'",
        ),
        (
            {"THROTTLE_RATES": "signin=0/min"},
            "THROTTLE_RATES (signin): expected N/sec, N/min, N/hour or N/day, got '0/min'",
        ),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT: expected one of console, json, got 'xml'"),
        (
            {"EMAIL_BACKEND": "pigeon"},
            "EMAIL_BACKEND: expected one of console, smtp, file, memory, got 'pigeon'",
        ),
    ],
)
def test_bad_values_name_the_variable_in_one_line(environ: dict[str, str], message: str) -> None:
    assert error_of(**environ) == message


def test_throttle_rates_override_named_scopes_only() -> None:
    settings = load_settings({"THROTTLE_RATES": "signin=5/min, cart_write=120/hour"}, env_file=None)
    assert settings.throttle_rates["signin"] == Rate(limit=5, period_seconds=60)
    assert settings.throttle_rates["cart_write"] == Rate(limit=120, period_seconds=3600)
    assert settings.throttle_rates["catalog"] == Rate(limit=240, period_seconds=60)


def test_booleans_and_lists_are_parsed() -> None:
    settings = load_settings(
        {"DEBUG": "Off", "ALLOWED_HOSTS": " a.example , .b.example ,", "CORS_ALLOW_ALL_ORIGINS": "1"},
        env_file=None,
    )
    assert settings.debug is False
    assert settings.allowed_hosts == ("a.example", ".b.example")
    assert settings.cors_allow_all_origins is True


def test_prod_starts_with_real_settings_and_safe_defaults() -> None:
    settings = load_settings(GOOD_PROD, env_file=None)
    assert settings.profile == "prod"
    assert settings.debug is False
    assert settings.email.backend == "smtp"
    assert settings.log_format == "json"
    assert settings.secure_ssl_redirect is True
    assert settings.secure_hsts_seconds == 31_536_000
    assert settings.cors_allow_all_origins is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY: prod needs a random value of at least 32 characters"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY: prod needs a random value of at least 32 characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS: prod needs an explicit list of host names"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL: prod needs PostgreSQL, not SQLite"),
        ({"DEBUG": "true"}, "DEBUG: must be false in prod"),
    ],
)
def test_prod_guard_rails(change: dict[str, str], message: str) -> None:
    assert error_of(**(GOOD_PROD | change)) == message


def test_prod_refuses_the_dev_secret_key_when_unset() -> None:
    environ = {key: value for key, value in GOOD_PROD.items() if key != "SECRET_KEY"}
    assert error_of(**environ) == "SECRET_KEY: prod needs a random value of at least 32 characters"


def test_implicit_tls_turns_starttls_off_and_both_together_are_refused() -> None:
    ssl_only = load_settings({"EMAIL_USE_SSL": "true"}, env_file=None).email
    assert (ssl_only.use_ssl, ssl_only.use_tls) == (True, False)
    assert error_of(EMAIL_USE_SSL="true", EMAIL_USE_TLS="true") == (
        "EMAIL_USE_TLS: cannot be true together with EMAIL_USE_SSL (pick one)"
    )


def test_test_profile_uses_the_memory_mail_backend() -> None:
    assert load_settings({"AVTHRIFT_ENV": "test"}, env_file=None).email.backend == "memory"


def test_password_hashing_never_goes_below_owasp_outside_the_test_profile() -> None:
    assert (
        error_of(PASSWORD_HASH_MEMORY_KIB="1024")
        == "PASSWORD_HASH_MEMORY_KIB: must be at least 19456, got 1024"
    )
    assert error_of(PASSWORD_HASH_TIME_COST="1") == "PASSWORD_HASH_TIME_COST: must be at least 2, got 1"
    defaults = load_settings({}, env_file=None).auth
    assert (defaults.password_hash_memory_kib, defaults.password_hash_time_cost) == (19456, 2)
    cheap = load_settings(
        {"AVTHRIFT_ENV": "test", "PASSWORD_HASH_MEMORY_KIB": "1024", "PASSWORD_HASH_TIME_COST": "1"},
        env_file=None,
    ).auth
    assert (cheap.password_hash_memory_kib, cheap.password_hash_time_cost) == (1024, 1)
