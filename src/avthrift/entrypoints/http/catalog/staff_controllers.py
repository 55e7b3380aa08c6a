"""`/api/v1/admin/catalog/`: staff CRUD of the catalog (reference §1.6, contract §5).

Eight resources, each a full CRUD keyed by integer id, built by one factory from the resource's
domain description (`catalog/staff.py`) and its create body (`staff_schemas.py`). Every route is
staff only (anonymous `401`, others `403`) and counted in the `catalog_admin_write` scope, reads
included.
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Final, cast

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.types import ControllerRouterHandler

from avthrift.domain.catalog.model import Record
from avthrift.domain.catalog.staff import (
    ATTRIBUTE_VALUES,
    ATTRIBUTES,
    CATEGORIES,
    COLLECTION_PRODUCTS,
    COLLECTIONS,
    MEDIA,
    PRODUCTS,
    VARIANTS,
    Resource,
)
from avthrift.domain.catalog.use_cases.staff import (
    CreateRecord,
    DeleteRecord,
    GetRecord,
    ListRecords,
    UpdateRecord,
)
from avthrift.domain.shared.money import CENT
from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE
from avthrift.entrypoints.http.auth import BEARER_SECURITY, staff_only
from avthrift.entrypoints.http.catalog import staff_schemas as schemas
from avthrift.entrypoints.http.pagination import PageNumber, PageSize, Paginated, page_request, paginated
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

PREFIX: Final = "/api/v1/admin/catalog"


@dataclass(frozen=True, slots=True)
class StaffRoute[F]:
    """One resource's routes: where they live, what they hold and how they are described."""

    path: str
    resource: Resource[F]
    body: type[msgspec.Struct]
    plural: str
    writes: str  # the rules of a write, for the OpenAPI descriptions
    deletes: str = "`204`."


ROUTES: Final[tuple[StaffRoute[Any], ...]] = (
    StaffRoute(
        "categories",
        CATEGORIES,
        schemas.AdminCategoryIn,
        "categories",
        "`slug` is unique (`409 slug_taken`). `parent` must exist and be neither the category itself "
        "nor one of its descendants (`400`).",
        "`204`. Its children lose their parent and its products the link.",
    ),
    StaffRoute(
        "products",
        PRODUCTS,
        schemas.AdminProductIn,
        "products",
        "`slug` is unique (`409 slug_taken`). `categories` must all exist (`400`); they replace the "
        "product's links.",
        "`204`, with its variants, media, attribute values, collection links and stock. `409 protected` "
        "while orders reference one of its variants (nothing is deleted).",
    ),
    StaffRoute(
        "variants",
        VARIANTS,
        schemas.AdminProductVariantIn,
        "product variants",
        "`sku` is unique (`409 sku_taken`). `price`: at least 0, at most 12 digits and 2 decimals (`400`).",
        "`204`, with its media, attribute values and stock. `409 protected` while orders reference it.",
    ),
    StaffRoute(
        "media",
        MEDIA,
        schemas.AdminMediaIn,
        "media",
        "`variant` must belong to `product` (`400`). `is_primary: true` demotes the previous primary "
        "image of the product (product-level media) or of the variant, in the same transaction.",
    ),
    StaffRoute(
        "collections",
        COLLECTIONS,
        schemas.AdminCollectionIn,
        "collections",
        "`slug` is unique (`409 slug_taken`).",
        "`204`, with its product links.",
    ),
    StaffRoute(
        "collection-products",
        COLLECTION_PRODUCTS,
        schemas.AdminCollectionProductIn,
        "collection products",
        "A product is in a collection at most once (`409 pair_taken`).",
    ),
    StaffRoute(
        "attributes",
        ATTRIBUTES,
        schemas.AdminAttributeIn,
        "attributes",
        "`code` is unique (`409 code_taken`). A `select` attribute needs `allowed_values` (`400`).",
        "`204`, with its values.",
    ),
    StaffRoute(
        "attribute-values",
        ATTRIBUTE_VALUES,
        schemas.AdminProductAttributeValueIn,
        "product attribute values",
        "Exactly one of `product` and `variant` (`400`). `value` must suit the attribute's "
        "`input_type`: a decimal number, `true`/`false`, or one of its `allowed_values` (`400`). "
        "One value per attribute per product and per variant (`409 pair_taken`).",
    ),
)


def _wire(value: Any) -> Any:
    return value.quantize(CENT) if isinstance(value, Decimal) else value


def _changes(data: msgspec.Struct) -> dict[str, Any]:
    return {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}


def _controller[F](route: StaffRoute[F]) -> type[Controller]:
    resource, body = route.resource, route.body
    model, singular = resource.model, resource.verbose_name
    put_in = schemas.put_body(body, f"Admin{model}PutIn")
    patch_in = schemas.patch_body(body, f"Admin{model}PatchIn")
    out = schemas.response_body(body, f"Admin{model}")
    ordering_fields = ", ".join(f"`{name}`" for name in resource.ordering_fields)
    default_ordering = ",".join(key.field for key in resource.default_ordering)
    ordering_param = Annotated[
        str | None,
        QueryParameter(
            max_length=200,
            description=f"Comma-separated fields among {ordering_fields}; `-` descends; unknown fields "
            f"are ignored; `id` breaks ties. Default `{default_ordering}`.",
        ),
    ]
    record_id_param = Annotated[int, PathParameter(ge=1, description=f"The {singular}'s id.")]
    not_found = f'`404 "No {model} matches the given query."` for an unknown id.'

    def to_out(record: Record[F]) -> msgspec.Struct:
        names = (item.name for item in dataclasses.fields(cast(Any, record.fields)))
        return out(id=record.id, **{name: _wire(getattr(record.fields, name)) for name in names})

    # The body and response types are built above, so mypy cannot check them (valid-type).
    class StaffResourceController(Controller):
        path = f"{PREFIX}/{route.path}"
        tags = ["admin-catalog"]  # noqa: RUF012
        opt = {RATE_SCOPE: "catalog_admin_write"}  # noqa: RUF012 - every operation here, OPTIONS included
        security = BEARER_SECURITY
        guards = [staff_only]  # noqa: RUF012

        @get(
            "/",
            operation_id=f"adminList{model}",
            summary=f"List {route.plural}",
            description='Staff only. Paginated; `404 "Invalid page."` past the last page.',
            responses=problem_responses(400, 401, 403, 404, 429),
        )
        async def list_records(
            self,
            request: Request[Any, Any, Any],
            list_records: FromDishka[ListRecords],
            page: PageNumber = 1,
            page_size: PageSize = DEFAULT_PAGE_SIZE,
            ordering: ordering_param = None,
        ) -> Paginated[out]:  # type: ignore[valid-type]
            found = await list_records(resource, ordering=ordering, page=page_request(page, page_size))
            return paginated(request, found, to_out)

        @post(
            "/",
            operation_id=f"adminCreate{model}",
            summary=f"Create a {singular}",
            description=f"Staff only. `201` with the stored {singular}. {route.writes}",
            responses=problem_responses(400, 401, 403, 409, 429),
        )
        async def create_record(
            self,
            data: JSONBody[body],  # type: ignore[valid-type]
            create: FromDishka[CreateRecord],
        ) -> out:  # type: ignore[valid-type]
            return to_out(await create(resource, resource.kind(**msgspec.structs.asdict(data))))

        @get(
            "/{record_id:int}",
            operation_id=f"adminRead{model}",
            summary=f"Read a {singular}",
            description=f"Staff only. {not_found}",
            responses=problem_responses(400, 401, 403, 404, 429),
        )
        async def read_record(
            self,
            record_id: record_id_param,
            get_record: FromDishka[GetRecord],
        ) -> out:  # type: ignore[valid-type]
            return to_out(await get_record(resource, record_id))

        @put(
            "/{record_id:int}",
            operation_id=f"adminReplace{model}",
            summary=f"Replace a {singular}",
            description=f"Staff only. Required fields must be present (`400` naming the missing one); "
            f"optional fields left out keep their value. {route.writes} {not_found}",
            responses=problem_responses(400, 401, 403, 404, 409, 429),
        )
        async def replace_record(
            self,
            record_id: record_id_param,
            data: JSONBody[put_in],  # type: ignore[valid-type]
            update: FromDishka[UpdateRecord],
        ) -> out:  # type: ignore[valid-type]
            return to_out(await update(resource, record_id, _changes(data)))

        @patch(
            "/{record_id:int}",
            operation_id=f"adminUpdate{model}",
            summary=f"Update some fields of a {singular}",
            description=f"Staff only. Fields left out keep their value; the result must pass every rule. "
            f"{route.writes} {not_found}",
            responses=problem_responses(400, 401, 403, 404, 409, 429),
        )
        async def update_record(
            self,
            record_id: record_id_param,
            data: JSONBody[patch_in],  # type: ignore[valid-type]
            update: FromDishka[UpdateRecord],
        ) -> out:  # type: ignore[valid-type]
            return to_out(await update(resource, record_id, _changes(data)))

        @delete(
            "/{record_id:int}",
            operation_id=f"adminDelete{model}",
            summary=f"Delete a {singular}",
            description=f"Staff only. {route.deletes} {not_found}",
            responses=problem_responses(400, 401, 403, 404, 409, 429),
        )
        async def delete_record(
            self,
            record_id: record_id_param,
            delete_record: FromDishka[DeleteRecord],
        ) -> None:
            await delete_record(resource, record_id)

    StaffResourceController.__name__ = StaffResourceController.__qualname__ = f"Admin{model}Controller"
    return StaffResourceController


HANDLERS: tuple[ControllerRouterHandler, ...] = tuple(_controller(route) for route in ROUTES)
