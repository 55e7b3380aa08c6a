"""The demo catalog of `avthrift catalog seed`: a thrift and fashion shop in Lagos, priced in NGN.

Pure and deterministic: every choice is derived from fixed lists and a CRC-32 of a name, so two calls
(and two processes) build the same catalog. Rows refer to each other by natural key (category,
product and collection slug, variant SKU, attribute code); the seed use case turns them into ids.
"""

import re
import zlib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Final

from avthrift.domain.catalog.demo_data import (
    CATEGORIES,
    CLOSINGS,
    CONDITION_LEADS,
    CONDITIONS,
    ERAS,
    HIDDEN_CATEGORIES,
    LINES,
    LUXURY,
    UNBRANDED,
    Line,
)
from avthrift.domain.catalog.model import InputType, ProductStatus, VariantStatus

MEDIA_HOST: Final = "https://images.avthrift.example"
SKU_PREFIX: Final = "AVT"
# Cumulative percentages: how many variants a product has, its condition, a variant's stock.
VARIANT_COUNTS: Final = ((1, 50), (2, 75), (3, 90), (4, 100))
CONDITION_SHARES: Final = tuple(zip(CONDITIONS, (12, 37, 72, 92, 100), strict=True))
SOLD_OUT_PERCENT: Final = 10  # variants with no stock left; 68% hold one piece, the rest 2 to 5
ONE_PIECE_PERCENT: Final = 68
SIZE_AXIS_PERCENT: Final = 70  # multi-variant products that vary by size rather than colour
INACTIVE_PERCENT: Final = 5  # variants (never a product's first) switched off
BARCODE_PERCENT: Final = 40
PRICIER_PERCENT: Final = 10  # further variants that cost ₦1,000 more (within the rail's range)
UNDER_10K: Final = 10000


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoCategory:
    slug: str
    name: str
    description: str
    parent: str | None
    sort_order: int
    is_active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoAttribute:
    code: str
    name: str
    input_type: InputType
    is_filterable: bool
    allowed_values: tuple[str, ...] | None
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoMedia:
    url: str
    alt_text: str
    is_primary: bool
    sort_order: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoVariant:
    sku: str
    price: Decimal
    barcode: str
    status: VariantStatus
    stock: int
    attributes: tuple[tuple[str, str], ...]
    media: tuple[DemoMedia, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoProduct:
    slug: str
    title: str
    description: str
    status: ProductStatus
    seo_title: str
    seo_description: str
    categories: tuple[str, ...]
    attributes: tuple[tuple[str, str], ...]
    variants: tuple[DemoVariant, ...]
    media: tuple[DemoMedia, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoCollection:
    slug: str
    name: str
    description: str
    is_active: bool
    sort_order: int
    products: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoCatalog:
    """Categories come parents first; `DemoCollection.products` are product slugs in curated order."""

    categories: tuple[DemoCategory, ...]
    attributes: tuple[DemoAttribute, ...]
    products: tuple[DemoProduct, ...]
    collections: tuple[DemoCollection, ...]


def _roll(*parts: object) -> int:
    """A stable number in 0..99 for a name (CRC-32; not `hash()`, which changes per process)."""
    return zlib.crc32("|".join(map(str, parts)).encode()) % 100


def _share[T](shares: tuple[tuple[T, int], ...], *parts: object) -> T:
    roll = _roll(*parts)
    return next(value for value, edge in shares if roll < edge)


def _pick[T](options: tuple[T, ...], *parts: object) -> T:
    return options[zlib.crc32("|".join(map(str, parts)).encode()) % len(options)]


def slugify(text: str) -> str:
    words = text.lower().replace(" & ", " and ").replace("&", "").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-")


def ean13(digits: str) -> str:
    """`digits` (12) and their EAN-13 check digit; prefix 200 is for in-store numbering (GS1)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return f"{digits}{(10 - total % 10) % 10}"


def _ancestors(slug: str) -> tuple[str, ...]:
    parents = {slug: parent for slug, _, parent, _ in CATEGORIES}
    chain = [slug]
    while (parent := parents[chain[0]]) is not None:
        chain.insert(0, parent)
    return tuple(chain)


def _union(groups: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for group in groups for value in group))


def _categories() -> tuple[DemoCategory, ...]:
    siblings: dict[str | None, int] = {}
    result = []
    for slug, name, parent, description in CATEGORIES:
        siblings[parent] = siblings.get(parent, 0) + 1
        hidden = slug in HIDDEN_CATEGORIES
        result.append(
            DemoCategory(
                slug=slug,
                name=name,
                description=description,
                parent=parent,
                sort_order=siblings[parent],
                is_active=not hidden,
            )
        )
    return tuple(result)


def _attributes() -> tuple[DemoAttribute, ...]:
    select, text = InputType.SELECT, InputType.TEXT
    specs = (
        ("brand", "Brand", text, True, None),
        ("size", "Size", select, True, _union(tuple(line.sizes for line in LINES))),
        ("colour", "Colour", select, True, _union(tuple(line.colours for line in LINES))),
        ("condition", "Condition", select, True, CONDITIONS),
        ("material", "Material", text, False, None),
        ("era", "Era", select, True, ERAS),
        ("length_cm", "Length (cm)", InputType.NUMBER, False, None),
        ("authenticated", "Authenticity checked", InputType.BOOLEAN, True, None),
    )
    return tuple(
        DemoAttribute(
            code=code,
            name=name,
            input_type=kind,
            is_filterable=filterable,
            allowed_values=values,
            sort_order=order,
        )
        for order, (code, name, kind, filterable, values) in enumerate(specs, start=1)
    )


def _mentions(name: str, material: str) -> bool:
    return material.split(maxsplit=1)[0].lower() in name.lower().split()


@dataclass(frozen=True, slots=True, kw_only=True)
class _Item:
    """One product being built: its rail, its place and the choices its parts share."""

    line: Line
    number: int  # 1-based across the catalog: the stem of its SKUs
    index: int  # position in its rail
    slug: str = ""

    @property
    def name(self) -> str:
        return self.line.items[self.index]

    @property
    def plural(self) -> bool:
        """Jeans, sandals, sunglasses: things that come in pairs (but not a dress)."""
        return self.name.endswith("s") and not self.name.endswith("ss")

    @property
    def brand(self) -> str:
        return self.line.brands[self.index % len(self.line.brands)]

    @property
    def title(self) -> str:
        return self.name if self.brand == UNBRANDED else f"{self.brand} {self.name}"

    @property
    def condition(self) -> str:
        return _share(CONDITION_SHARES, self.slug, "condition")

    @property
    def price(self) -> int:
        """Naira, in steps of 500 across the rail's range."""
        low, high = self.line.prices
        steps = (high - low) // 500 + 1
        return low + zlib.crc32(f"{self.slug}|price".encode()) % steps * 500

    @property
    def colour(self) -> str:
        return _pick(self.line.colours, self.slug, "colour")

    @property
    def material(self) -> str:
        """The material its name mentions; else one that no other item of the rail names."""
        named = [m for m in self.line.materials if _mentions(self.name, m)]
        if named:
            return named[0]
        others = [name for name in self.line.items if name != self.name]
        free = tuple(m for m in self.line.materials if not any(_mentions(o, m) for o in others))
        return _pick(free or self.line.materials, self.slug, "material")


def _options(item: _Item) -> list[tuple[str, str]]:
    """(size, colour) of each variant: 1 to 4 of them, across sizes or across colours."""
    wanted = _share(VARIANT_COUNTS, item.slug, "variants")
    sizes, colours = item.line.sizes, item.line.colours
    if len(sizes) > 1 and _roll(item.slug, "axis") < SIZE_AXIS_PERCENT:
        count = min(wanted, len(sizes))
        start = _pick(tuple(range(len(sizes) - count + 1)), item.slug, "size")
        return [(size, item.colour) for size in sizes[start : start + count]]
    size = _pick(sizes, item.slug, "one-size")
    first = colours.index(item.colour)
    # A step of 7 visits every colour of a palette whose length it does not divide.
    picked = dict.fromkeys(colours[(first + k * 7) % len(colours)] for k in range(wanted))
    return [(size, colour) for colour in picked]


def _code(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())[:4]


def _stock(sku: str) -> int:
    roll = _roll(sku, "stock")
    if roll < SOLD_OUT_PERCENT:
        return 0
    return 1 if roll < SOLD_OUT_PERCENT + ONE_PIECE_PERCENT else 2 + roll % 4


def _variant_media(item: _Item, sku: str, colour: str, position: int) -> tuple[DemoMedia, ...]:
    url = f"{MEDIA_HOST}/products/{item.slug}/{sku.lower()}.jpg"
    alt = f"{item.title} in {colour.lower()}"
    return (DemoMedia(url=url, alt_text=alt, is_primary=True, sort_order=10 + position),)


def _variant(item: _Item, position: int, size: str, colour: str, *, by_colour: bool) -> DemoVariant:
    sku = f"{SKU_PREFIX}-{item.number:04d}-{_code(size)}-{_code(colour)}"
    published = item.line.status is ProductStatus.PUBLISHED
    # Drafts wait in the back room: stock in hand, variants switched on when published.
    active = published and (position == 0 or _roll(sku, "active") >= INACTIVE_PERCENT)
    stock = _stock(sku) if published else 1
    bumped = position > 0 and _roll(sku, "price") < PRICIER_PERCENT
    price = min(item.price + (1000 if bumped else 0), item.line.prices[1])
    barcode = _roll(sku, "barcode") < BARCODE_PERCENT
    return DemoVariant(
        sku=sku,
        price=Decimal(price).quantize(Decimal("0.01")),
        barcode=ean13(f"2000{item.number:04d}{position:02d}00") if barcode else "",
        status=VariantStatus.ACTIVE if active else VariantStatus.INACTIVE,
        stock=stock if active or not published else 0,
        attributes=(("size", size), ("colour", colour)),
        media=_variant_media(item, sku, colour, position) if by_colour else (),
    )


def _media(item: _Item) -> tuple[DemoMedia, ...]:
    views = (("front", "front view"), ("back", "back view"), ("detail", "close-up of the details"))
    shown = views[: 1 + _roll(item.slug, "media") % 3]
    return tuple(
        DemoMedia(
            url=f"{MEDIA_HOST}/products/{item.slug}/{view}.jpg",
            alt_text=f"{item.title}, {alt}",
            is_primary=position == 0,
            sort_order=position,
        )
        for position, (view, alt) in enumerate(shown)
    )


def _description(item: _Item) -> str:
    name = item.name.lower()
    article = "a pair of" if item.plural else "an" if name[0] in "aeiou" else "a"
    maker = "" if item.brand == UNBRANDED else f" by {item.brand}"
    era = "" if item.line.era == "Contemporary" else f" A genuine {item.line.era} piece."
    return (
        f"{CONDITION_LEADS[item.condition]} {article} {name}{maker} in {item.colour.lower()} "
        f"{item.material.lower()}. {_pick(item.line.details, item.slug, 'detail')}{era} "
        f"{_pick(CLOSINGS, item.slug, 'closing')}"
    )


def _product_attributes(item: _Item) -> tuple[tuple[str, str], ...]:
    values = [("condition", item.condition), ("material", item.material), ("era", item.line.era)]
    if item.brand != UNBRANDED:
        values.insert(0, ("brand", item.brand))
    if item.line.length_cm is not None:
        low, high = item.line.length_cm
        values.append(("length_cm", str(low + zlib.crc32(item.slug.encode()) % (high - low + 1))))
    if item.brand in LUXURY:
        values.append(("authenticated", "true"))
    return tuple(values)


def _product(item: _Item) -> DemoProduct:
    options = _options(item)
    by_colour = len({colour for _, colour in options}) > 1
    return DemoProduct(
        slug=item.slug,
        title=item.title,
        description=_description(item),
        status=item.line.status,
        seo_title=f"{item.title} ({item.condition}) | AVThrift",
        seo_description=(
            f"Shop {'these' if item.plural else 'this'} pre-loved {item.name.lower()} from "
            f"₦{item.price:,} at AVThrift, the Lagos thrift store. Delivery across Nigeria."
        ),
        categories=_union((_ancestors(item.line.category), *map(_ancestors, item.line.also))),
        attributes=_product_attributes(item),
        variants=tuple(
            _variant(item, position, size, colour, by_colour=by_colour)
            for position, (size, colour) in enumerate(options)
        ),
        media=_media(item),
    )


def _items() -> list[_Item]:
    """Every item of every rail, with a unique slug (`-2`, `-3`, … when titles repeat)."""
    items: list[_Item] = []
    taken: set[str] = set()
    for line in LINES:
        for index in range(len(line.items)):
            item = _Item(line=line, number=len(items) + 1, index=index)
            base = slug = slugify(item.title)
            suffix = 1
            while slug in taken:
                suffix += 1
                slug = f"{base}-{suffix}"
            taken.add(slug)
            items.append(_Item(line=line, number=item.number, index=index, slug=slug))
    return items


def _cheap(product: DemoProduct) -> bool:
    return all(v.price < UNDER_10K for v in product.variants if v.status is VariantStatus.ACTIVE)


def _collections(products: tuple[DemoProduct, ...]) -> tuple[DemoCollection, ...]:
    """Six collections of published products; the last one, a past sale, is switched off."""
    shown = [p for p in products if p.status is ProductStatus.PUBLISHED]
    vintage = [p for p in shown if "vintage" in p.categories]
    designer = [p for p in shown if ("authenticated", "true") in p.attributes]
    picks = (
        ("featured", "Featured", "Hand-picked favourites from this week's rails.", shown[3::14][:16]),
        ("new-in", "New in", "The latest pieces to land in the shop.", shown[::-9][:24]),
        (
            "under-10k",
            "Under ₦10k",
            "Great finds for less than ten thousand naira.",
            list(filter(_cheap, shown))[:30],
        ),
        ("vintage-picks", "Vintage picks", "Our favourite pieces from the 70s to Y2K.", vintage[::2][:20]),
        ("designer-finds", "Designer finds", "Authenticated luxury at thrift prices.", designer[:20]),
        ("end-of-season-sale", "End of season sale", "Last season's markdowns (ended).", shown[5::11][:12]),
    )
    return tuple(
        DemoCollection(
            slug=slug,
            name=name,
            description=description,
            is_active=order < len(picks),
            sort_order=order,
            products=tuple(p.slug for p in chosen),
        )
        for order, (slug, name, description, chosen) in enumerate(picks, start=1)
    )


@cache
def demo_catalog() -> DemoCatalog:
    """The whole demo catalog: 216 published products and 6 drafts, and everything around them."""
    products = tuple(_product(item) for item in _items())
    return DemoCatalog(
        categories=_categories(),
        attributes=_attributes(),
        products=products,
        collections=_collections(products),
    )
