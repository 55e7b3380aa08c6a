"""OpenAPI 3.1 document (`/api/schema/`) and a Swagger UI (`/api/docs/`) whose assets the app
serves itself, so the docs render with no internet access."""

from typing import Any, Final

import msgspec
from litestar import MediaType, Request, Router, get
from litestar._openapi.plugin import handle_schema_path_not_found
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Reference, Schema, SecurityScheme
from litestar.routes import BaseRoute
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from litestar.typing import FieldDefinition
from swagger_ui_bundle import swagger_ui_path

from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

ASSETS: Final = "/api/docs/assets"
DOCS_OPT: Final = {RATE_SCOPE: "docs"}


@get("/schema", media_type=MediaType.JSON, include_in_schema=False, opt=DOCS_OPT, sync_to_thread=False)
def openapi_schema(request: Request[Any, Any, Any]) -> bytes:
    """The OpenAPI 3.1 document, as JSON (encoded once per process: the routes never change)."""
    state = request.app.state
    if "openapi_json" not in state:
        state.openapi_json = msgspec.json.encode(request.app.openapi_schema.to_schema())
    encoded: bytes = state.openapi_json
    return encoded


class _DocsRouter(Router):
    """Litestar adds an HTML 404 page for unknown paths under the docs root; here an unknown path is
    a problem+json 404 like everywhere else (contract §1), so that handler is never registered."""

    def register(self, value: ControllerRouterHandler) -> list[BaseRoute]:
        if getattr(value, "fn", None) is handle_schema_path_not_found:
            return []
        return super().register(value)


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Request bodies reject unknown fields (`forbid_unknown_fields`); say so in the schema
    (`additionalProperties: false`) so clients and fuzzers know."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            component = (
                schema_creator.schema_registry.from_reference(schema)
                if isinstance(schema, Reference)
                else None
            )
            target = component.schema if component is not None else schema
            target.additional_properties = False
        return schema


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="AVThrift API",
        version=version,
        description=(
            "REST API of the AVThrift store. Errors are RFC 9457 problem documents "
            "(`application/problem+json`) with a stable `code`. Rate-limited responses carry "
            "`RateLimit-Policy` and `RateLimit` (IETF httpapi draft); `429` adds `Retry-After`."
        ),
        path="/api",
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
            }
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path="/docs",
                js_url=f"{ASSETS}/swagger-ui-bundle.js",
                css_url=f"{ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
            )
        ],
        openapi_router=_DocsRouter(
            "/api", route_handlers=[openapi_schema], opt=DOCS_OPT, include_in_schema=False
        ),
    )


swagger_assets = create_static_files_router(
    path=ASSETS,
    directories=[swagger_ui_path],
    include_in_schema=False,
    opt=DOCS_OPT,
    cache_control=None,
)
