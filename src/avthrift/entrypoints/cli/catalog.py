from cyclopts import App
from dishka import Scope

from avthrift.domain.catalog.demo import demo_catalog
from avthrift.domain.catalog.use_cases.seed import SeedDemoCatalog, SeedSummary
from avthrift.entrypoints.cli.progress import progress_bar
from avthrift.entrypoints.cli.runtime import app_container

catalog_app = App(name="catalog", help="The product catalog.")

_LABELS = (
    ("products", "product", "products"),
    ("variants", "variant", "variants"),
    ("categories", "category", "categories"),
    ("attributes", "attribute", "attributes"),
    ("attribute_values", "attribute value", "attribute values"),
    ("media", "media", "media"),
    ("collections", "collection", "collections"),
    ("collection_products", "collection link", "collection links"),
    ("stock_items", "stock item", "stock items"),
    ("stock_movements", "stock movement", "stock movements"),
)


def describe(summary: SeedSummary) -> str:
    """The command's one-line summary."""
    if not summary.created:
        return "The demo catalog is already seeded: nothing to create."
    counts = ((getattr(summary, name), one, many) for name, one, many in _LABELS)
    parts = [f"{count:,} {one if count == 1 else many}" for count, one, many in counts if count]
    return f"Seeded the demo catalog: {', '.join(parts)} created."


@catalog_app.command
async def seed() -> None:
    """Create the demo catalog (the replacement of `seed_catalog`).

    About 220 products of a thrift and fashion shop across a category tree, with variants,
    attributes, images, collections and stock. Only what is missing is created and no existing row
    is changed: running it again changes nothing, and staff edits to seeded products survive.
    """
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        seed_catalog = await request.get(SeedDemoCatalog)
        with progress_bar("Seeding the demo catalog", "products") as report:
            summary = await seed_catalog(demo_catalog(), on_progress=report)
    print(describe(summary))
