"""Ports of the catalog context. Every method runs inside the caller's unit of work."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from avthrift.domain.catalog.model import (
    AttributeFields,
    AttributeValueFields,
    CategoryFields,
    CollectionFields,
    CollectionProductFields,
    MediaFields,
    ProductFields,
    Record,
    VariantFields,
)
from avthrift.domain.catalog.read_models import (
    Attribute,
    AttributeQuery,
    Category,
    CategoryQuery,
    Collection,
    CollectionQuery,
    Media,
    ProductCard,
    ProductDetail,
    ProductQuery,
    Variant,
    VariantQuery,
)
from avthrift.domain.shared.pagination import Page, PageRequest, SortKey


class CatalogReader(Protocol):
    """The public catalog, read-only, with the visibility rules of `read_models` applied to every
    answer (nested lists included). A slug or id that is unknown or hidden looks like a missing one:
    `None`. Lists raise `InvalidPageError` past the last page. Reads run a bounded number of
    statements whatever the page size or the number of variants, media and categories (product
    lists at most 3, a product at most 3), and never write."""

    async def categories(self, query: CategoryQuery) -> Page[Category]:
        """One page of active categories."""
        ...

    async def category(self, slug: str) -> Category | None:
        """The active category with this slug."""
        ...

    async def category_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        """Cards of the published products linked to the active category `slug`, by title;
        `None` when there is no such category."""
        ...

    async def products(self, query: ProductQuery) -> Page[ProductCard]:
        """One page of published products' cards."""
        ...

    async def product(self, slug: str) -> ProductDetail | None:
        """The published product with this slug, with its active categories (by sort_order,
        name), its visible media (by sort_order, id) and its active variants (by sku)."""
        ...

    async def product_variants(self, slug: str) -> tuple[Variant, ...] | None:
        """The active variants of the published product `slug`, by sku; `None` without one."""
        ...

    async def product_media(self, slug: str) -> tuple[Media, ...] | None:
        """The visible media of the published product `slug`, by (sort_order, id); `None`
        without one."""
        ...

    async def collections(self, query: CollectionQuery) -> Page[Collection]:
        """One page of active collections."""
        ...

    async def collection(self, slug: str) -> Collection | None:
        """The active collection with this slug."""
        ...

    async def collection_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        """Cards of the published products of the active collection `slug`, in curated order
        (link sort_order, then product id); `None` when there is no such collection."""
        ...

    async def variants(self, query: VariantQuery) -> Page[Variant]:
        """One page of active variants of published products."""
        ...

    async def variant(self, variant_id: int) -> Variant | None:
        """The active variant of a published product with this id."""
        ...

    async def attributes(self, query: AttributeQuery) -> Page[Attribute]:
        """One page of attributes (all are public)."""
        ...

    async def attribute(self, attribute_id: int) -> Attribute | None: ...


class CatalogRecords(Protocol):
    """The staff side's records: one table per `*Fields` type of `model.py` (the `kind`).

    Writes check no business rule (the use cases do), but the store refuses what its constraints
    refuse, as `ConflictError`, changing nothing: a duplicate unique value (slug, sku, code, pair),
    an unknown referenced id, a category that is its own parent, media whose variant belongs to
    another product, a second primary image, a negative price, a value with neither or both of
    product and variant. Ids outside 1..2**63-1 name no record. A product's categories are a set,
    returned sorted by id.
    """

    async def get[F](self, kind: type[F], record_id: int) -> Record[F] | None:
        """The record, or `None` when there is none with this id."""
        ...

    async def page[F](
        self, kind: type[F], ordering: tuple[SortKey, ...], request: PageRequest
    ) -> Page[Record[F]]:
        """One page in `ordering` (fields of `kind` or `id`; NULLs last ascending); raises
        `InvalidPageError` past the last page."""
        ...

    async def existing(self, kind: type[object], ids: Iterable[int]) -> frozenset[int]:
        """Those of `ids` that name a record of `kind`."""
        ...

    async def taken(self, kind: type[object], values: Mapping[str, object], except_id: int | None) -> bool:
        """Whether a record of `kind` other than `except_id` has all these field values."""
        ...

    async def add[F](self, fields: F) -> Record[F]:
        """Store a new record; raises `ConflictError` as described above."""
        ...

    async def update[F](self, record: Record[F]) -> None:
        """Write every field back (a product's categories replace its links); raises
        `ConflictError` as described above."""
        ...

    async def delete(self, kind: type[object], record_id: int) -> bool:
        """Delete the record with the schema's cascades: a category's children lose their parent
        and its products the link; a product takes its variants, media, values, links and stock;
        a variant its media, values and stock. `False` when there is no such record. Raises
        `ProtectedError`, deleting nothing, when a restricting reference (an order line) still
        points at the record or at one the deletion would cascade to."""
        ...

    async def lineage(self, category_id: int) -> frozenset[int]:
        """The category's id and the ids of all its ancestors; empty when it does not exist.
        Finite even if the stored parents formed a cycle."""
        ...

    async def demote_primary_media(self, product: int, variant: int | None, except_id: int | None) -> None:
        """Unmark the primary image of `variant`, or the product-level one of `product` when
        `variant` is `None`, unless it is the media `except_id`."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Ensured:
    """A row found or inserted by its natural key: its id, and whether this call inserted it."""

    id: int
    created: bool


class DemoCatalogWriter(Protocol):
    """Insert-if-missing writes of the demo catalog (`avthrift catalog seed`).

    Each `ensure_*` looks its row up by natural key and inserts it only when there is none. It never
    changes an existing row: a second seed changes nothing and staff edits to seeded rows survive.
    A row a concurrent seed inserted meanwhile is found, not duplicated (media excepted: they have
    no unique key). Raises `ConflictError` when a constraint refuses a new row (a second primary
    image, a dangling id) and `ServiceUnavailableError` when the database does not answer.
    """

    async def ensure_category(self, fields: CategoryFields) -> Ensured:
        """Keyed by slug."""
        ...

    async def ensure_attribute(self, fields: AttributeFields) -> Ensured:
        """Keyed by code."""
        ...

    async def ensure_collection(self, fields: CollectionFields) -> Ensured:
        """Keyed by slug."""
        ...

    async def ensure_product(self, fields: ProductFields) -> Ensured:
        """Keyed by slug; a product it inserts is linked to the categories `fields.categories`."""
        ...

    async def ensure_variant(self, fields: VariantFields) -> Ensured:
        """Keyed by SKU, which may belong to another product than `fields.product`."""
        ...

    async def ensure_attribute_value(self, fields: AttributeValueFields) -> bool:
        """Keyed by (attribute, product) or (attribute, variant); whether it inserted the value."""
        ...

    async def ensure_media(self, fields: MediaFields) -> bool:
        """Keyed by (product, url); whether it inserted the media."""
        ...

    async def ensure_collection_product(self, fields: CollectionProductFields) -> bool:
        """Keyed by (collection, product); whether it inserted the link."""
        ...

    async def ensure_stock(self, variant: int, quantity: int, *, reason: str, reference: str) -> bool:
        """Keyed by variant. A stock row it inserts holds `quantity` on hand and nothing reserved,
        and a positive `quantity` is also recorded as one inbound movement (`reason`,
        `reference`), so that on hand equals the sum of the ledger. Whether it inserted the row."""
        ...
