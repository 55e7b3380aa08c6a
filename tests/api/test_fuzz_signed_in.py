"""schemathesis over the protected operations *signed in* (test_fuzz.py runs anonymously, where they
stop at `401`): schema examples, boundaries, fuzzing and stateful sequences against a real account,
with every default check (no 5xx, documented statuses and bodies, invalid data rejected, valid data
accepted, a deleted address gone, a created one readable)."""

import asyncio

from litestar.testing import AsyncTestClient

from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.catalog.staff_controllers import PREFIX, ROUTES
from tests.conftest import BASE_URL, NewAccount, SettingsFactory, register, sign_in, staff_headers
from tests.fuzzing import UNTHROTTLED, assert_conforms, business_rule_400

MAX_EXAMPLES = 30
# A default address must be one of the caller's: an id the schema allows may name none of them.
BUSINESS_RULE_400 = ["/api/v1/customer/profile"]
# Staff catalog writes name other records and must pass rules a schema cannot state (an existing
# product, no category cycle, a value suiting its attribute, two decimals at most).
STAFF_CATALOG_PATHS = [
    path for route in ROUTES for path in (f"{PREFIX}/{route.path}", f"{PREFIX}/{route.path}/{{record_id}}")
]


async def _access_token(settings_factory: SettingsFactory) -> str:
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        account = NewAccount.unique()
        await register(client, account)
        return (await sign_in(client, account.email))["access"]


def _conforming(
    settings_factory: SettingsFactory, token: str, paths: str, business_400: list[str] | None = None
) -> set[str]:
    """schemathesis over the operations whose path matches `paths`, as the bearer of `token`;
    `business_400`: paths whose schema-valid requests a business rule may refuse with `400`."""
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED, ALLOWED_HOSTS="testserver"))
    config = {
        "generation": {"max-examples": MAX_EXAMPLES},
        "auth": {"openapi": {"BearerToken": {"bearer": token}}},
        "operations": [
            {"exclude-path-regex": paths, "enabled": False},
            *business_rule_400(business_400 or []),
        ],
    }
    return assert_conforms(app, config)


def test_customer_operations_conform_to_the_schema_when_signed_in(settings_factory: SettingsFactory) -> None:
    token = asyncio.run(_access_token(settings_factory))
    operations = _conforming(settings_factory, token, "^/api/v1/customer/", BUSINESS_RULE_400)
    assert len(operations) == 9, sorted(operations)


def test_signed_in_account_operations_conform_to_the_schema(settings_factory: SettingsFactory) -> None:
    # Safe to fuzz signed in: the password can only change with the current one, which the fuzzer lacks.
    token = asyncio.run(_access_token(settings_factory))
    signed_in_only = "^/api/v1/account/(profile|email-reset|password-change)$"
    operations = _conforming(
        settings_factory,
        token,
        signed_in_only,
        ["/api/v1/account/profile", "/api/v1/account/email-reset", "/api/v1/account/password-change"],
    )
    assert len(operations) == 4, sorted(operations)


async def _staff_token(settings_factory: SettingsFactory, database_url: str) -> str:
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        headers = await staff_headers(client, database_url)
    return headers["Authorization"].removeprefix("Bearer ")


def test_staff_catalog_operations_conform_to_the_schema_as_staff(
    settings_factory: SettingsFactory, database_url: str
) -> None:
    token = asyncio.run(_staff_token(settings_factory, database_url))
    operations = _conforming(settings_factory, token, f"^{PREFIX}/", STAFF_CATALOG_PATHS)
    assert len(operations) == 48, sorted(operations)


# Stock and the per-line limit (`CART_MAX_LINE_QUANTITY`) can refuse a schema-valid quantity, and a
# merge can be refused as a whole.
CART_BUSINESS_RULE_400 = [
    "/api/v1/cart/items",
    "/api/v1/cart/items/{item_id}",
    "/api/v1/cart/merge-guest",
    "/api/v1/admin/carts/{cart_id}/merge-into/{user_id}",
]


def test_cart_operations_conform_to_the_schema_when_signed_in(settings_factory: SettingsFactory) -> None:
    token = asyncio.run(_access_token(settings_factory))
    user_cart = r"^/api/v1/cart(/items(/\{item_id\}(/delete)?)?|/clear|/abandon|/merge-guest)?$"
    operations = _conforming(settings_factory, token, user_cart, CART_BUSINESS_RULE_400)
    assert len(operations) == 7, sorted(operations)


def test_staff_cart_operations_conform_to_the_schema_as_staff(
    settings_factory: SettingsFactory, database_url: str
) -> None:
    token = asyncio.run(_staff_token(settings_factory, database_url))
    operations = _conforming(settings_factory, token, "^/api/v1/admin/carts", CART_BUSINESS_RULE_400)
    assert len(operations) == 5, sorted(operations)


# An empty cart cannot be checked out, and a date filter must be a date: rules a schema states only
# in words.
ORDERS_BUSINESS_RULE_400 = ["/api/v1/cart/checkout", "/api/v1/orders"]


def test_checkout_and_order_operations_conform_to_the_schema_when_signed_in(
    settings_factory: SettingsFactory,
) -> None:
    token = asyncio.run(_access_token(settings_factory))
    signed_in = r"^/api/v1/(cart/checkout|orders(/\{order_id\}(/pay|/cancel)?)?)$"
    operations = _conforming(settings_factory, token, signed_in, ORDERS_BUSINESS_RULE_400)
    assert len(operations) == 5, sorted(operations)


def test_staff_order_operations_conform_to_the_schema_as_staff(
    settings_factory: SettingsFactory, database_url: str
) -> None:
    token = asyncio.run(_staff_token(settings_factory, database_url))
    operations = _conforming(settings_factory, token, "^/api/v1/admin/orders")
    assert len(operations) == 2, sorted(operations)
