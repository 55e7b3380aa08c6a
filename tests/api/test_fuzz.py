"""Property-based run of schemathesis over the whole OpenAPI document, anonymously, in process."""

from avthrift.entrypoints.http.app import create_app
from tests.conftest import SettingsFactory
from tests.fuzzing import UNTHROTTLED, assert_conforms, business_rule_400

MAX_EXAMPLES = 30

# Operations whose documented `400` is a business rule that a schema cannot express: credentials
# that do not match, emailed links that do not verify, the password policy, email syntax. Valid-looking
# data may be refused there; everywhere else schema-valid data must be accepted.
BUSINESS_RULE_400 = [
    "/api/v1/auth/signin",
    "/api/v1/account/register",
    "/api/v1/account/password-reset/confirm",
    "/api/v1/account/email-verify/confirm",
    "/api/v1/account/email-reset",
    "/api/v1/account/email-reset/confirm",
    "/api/v1/account/password-change",
    "/api/v1/account/profile",
    # Guest carts: the session id may come from the header or the body (neither is required on its
    # own), and stock and the per-line limit (`CART_MAX_LINE_QUANTITY`) can refuse a valid quantity.
    "/api/v1/cart/guest/items",
    "/api/v1/cart/guest/items/{item_id}",
]


def test_every_operation_conforms_to_the_schema(settings_factory: SettingsFactory) -> None:
    # schemathesis's ASGI client sends `Host: testserver`.
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED, ALLOWED_HOSTS="testserver"))
    config = {
        "generation": {"max-examples": MAX_EXAMPLES},
        "operations": business_rule_400(BUSINESS_RULE_400),
    }
    assert_conforms(app, config)
