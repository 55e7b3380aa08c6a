"""schemathesis over `/api/v1/inventory/` as staff (test_fuzz.py runs anonymously, where every
inventory operation stops at `401`): no 5xx for any input, documented statuses and bodies."""

import asyncio

from litestar.testing import AsyncTestClient

from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.inventory.controllers import PREFIX
from tests.conftest import BASE_URL, SettingsFactory, staff_headers
from tests.fuzzing import UNTHROTTLED, assert_conforms, business_rule_400

MAX_EXAMPLES = 30
# A schema-valid write can still name a variant or stock item that does not exist, or a quantity
# whose sign does not suit its movement type.
BUSINESS_RULE_400 = [f"{PREFIX}/stock-items", f"{PREFIX}/movements"]


async def _staff_token(settings_factory: SettingsFactory, database_url: str) -> str:
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        headers = await staff_headers(client, database_url)
    return headers["Authorization"].removeprefix("Bearer ")


def test_inventory_operations_conform_to_the_schema_as_staff(
    settings_factory: SettingsFactory, database_url: str
) -> None:
    token = asyncio.run(_staff_token(settings_factory, database_url))
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED, ALLOWED_HOSTS="testserver"))
    config = {
        "generation": {"max-examples": MAX_EXAMPLES},
        "auth": {"openapi": {"BearerToken": {"bearer": token}}},
        "operations": [
            {"exclude-path-regex": f"^{PREFIX}/", "enabled": False},
            *business_rule_400(BUSINESS_RULE_400),
        ],
    }
    operations = assert_conforms(app, config)
    assert len(operations) == 6, sorted(operations)
