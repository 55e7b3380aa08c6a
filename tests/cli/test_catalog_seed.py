"""`avthrift catalog seed`, run as a real process against each engine."""

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.domain.catalog.demo import demo_catalog
from avthrift.domain.catalog.model import ProductStatus
from avthrift.domain.catalog.use_cases.seed import SeedSummary
from avthrift.entrypoints.cli.catalog import describe
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import migrated_database

pytestmark = pytest.mark.slow

CATALOG = demo_catalog()
VARIANTS = [v for p in CATALOG.products for v in p.variants]
TABLES = (
    "categories",
    "attributes",
    "products",
    "product_categories",
    "product_variants",
    "attribute_values",
    "media",
    "collections",
    "collection_products",
    "stock_items",
    "stock_movements",
)
# Settings that would make rich draw (or not draw) a bar whatever the output is.
_TERMINAL_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "TERM")
ALREADY_SEEDED = "The demo catalog is already seeded: nothing to create."


def _environment(database_url: str) -> dict[str, str]:
    skipped = ("AVTHRIFT_", "DATABASE_", "REDIS_", *_TERMINAL_OVERRIDES)
    base = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    return base | {"DATABASE_URL": database_url, "TERM": "xterm-256color"}


def seed(cwd: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """The command with stdout and stderr on pipes (not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "avthrift", "catalog", "seed"],
        cwd=cwd,
        env=_environment(database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def seed_on_a_terminal(cwd: Path, database_url: str) -> tuple[int, str, str]:
    """The command with stderr on a pseudo-terminal: (exit code, stdout, what the terminal showed)."""
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "avthrift", "catalog", "seed"],
        cwd=cwd,
        env=_environment(database_url),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    ) as process:
        os.close(terminal)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            shown.extend(chunk)
        assert process.stdout is not None
        stdout = process.stdout.read().decode()
        code = process.wait(timeout=120)
    os.close(controller)
    return code, stdout, shown.decode(errors="replace")


async def query(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one statement (`:name` parameters) on an engine of the test's own, configured like the
    app's (SQLite's foreign keys, and so its cascades, on); return its rows, committed."""
    engine = create_engine(database_url, use_pool=False)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return [tuple(row) for row in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


async def dump(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog and stock table, by id."""
    return {table: await query(database_url, f"SELECT * FROM {table} ORDER BY id") for table in TABLES}  # noqa: S608


async def counts(database_url: str) -> dict[str, int]:
    return {table: (await query(database_url, f"SELECT count(*) FROM {table}"))[0][0] for table in TABLES}  # noqa: S608


def expected_counts() -> dict[str, int]:
    return {
        "categories": len(CATALOG.categories),
        "attributes": len(CATALOG.attributes),
        "products": len(CATALOG.products),
        "product_categories": sum(len(p.categories) for p in CATALOG.products),
        "product_variants": len(VARIANTS),
        "attribute_values": sum(len(p.attributes) for p in CATALOG.products) + 2 * len(VARIANTS),
        "media": sum(len(p.media) for p in CATALOG.products) + sum(len(v.media) for v in VARIANTS),
        "collections": len(CATALOG.collections),
        "collection_products": sum(len(c.products) for c in CATALOG.collections),
        "stock_items": len(VARIANTS),
        "stock_movements": sum(v.stock > 0 for v in VARIANTS),
    }


def summary_of(created: dict[str, int]) -> SeedSummary:
    return SeedSummary(
        categories=created["categories"],
        attributes=created["attributes"],
        collections=created["collections"],
        products=created["products"],
        variants=created["product_variants"],
        attribute_values=created["attribute_values"],
        media=created["media"],
        collection_products=created["collection_products"],
        stock_items=created["stock_items"],
        stock_movements=created["stock_movements"],
    )


# Each query returns the offending rows: all must be empty.
INVARIANTS = {
    "published product without an active priced variant": """
        SELECT p.slug FROM products p WHERE p.status = 'published' AND NOT EXISTS (
            SELECT 1 FROM product_variants v
            WHERE v.product_id = p.id AND v.status = 'active' AND v.price IS NOT NULL)""",
    "draft with an active variant": """
        SELECT v.sku FROM product_variants v JOIN products p ON p.id = v.product_id
        WHERE p.status = 'draft' AND v.status = 'active'""",
    "product without exactly one product-level primary image": """
        SELECT p.slug FROM products p WHERE (
            SELECT count(*) FROM media m
            WHERE m.product_id = p.id AND m.variant_id IS NULL AND m.is_primary) <> 1""",
    "published product without an active category": """
        SELECT p.slug FROM products p WHERE p.status = 'published' AND NOT EXISTS (
            SELECT 1 FROM product_categories pc JOIN categories c ON c.id = pc.category_id
            WHERE pc.product_id = p.id AND c.is_active)""",
    "product linked to a hidden category": """
        SELECT pc.product_id FROM product_categories pc JOIN categories c ON c.id = pc.category_id
        WHERE NOT c.is_active""",
    "collection holding a draft": """
        SELECT cp.id FROM collection_products cp JOIN products p ON p.id = cp.product_id
        WHERE p.status <> 'published'""",
    "variant without exactly one stock row": """
        SELECT v.sku FROM product_variants v
        WHERE (SELECT count(*) FROM stock_items s WHERE s.variant_id = v.id) <> 1""",
    "stock row whose on hand is not the sum of its ledger": """
        SELECT s.id FROM stock_items s WHERE s.reserved <> 0 OR s.on_hand <> COALESCE(
            (SELECT sum(m.quantity) FROM stock_movements m WHERE m.stock_item_id = s.id), 0)""",
    "movement other than the seed's opening stock": """
        SELECT m.id FROM stock_movements m WHERE m.movement_type <> 'in' OR m.quantity <= 0
            OR m.reason <> 'Demo catalog seed' OR m.reference <> 'seed'""",
    "inactive variant holding stock": """
        SELECT v.sku FROM product_variants v JOIN stock_items s ON s.variant_id = v.id
        JOIN products p ON p.id = v.product_id
        WHERE v.status = 'inactive' AND p.status = 'published' AND s.on_hand > 0""",
}


async def assert_invariants(database_url: str) -> None:
    for name, sql in INVARIANTS.items():
        assert await query(database_url, sql) == [], name


async def test_seed_builds_the_demo_catalog_once(tmp_path: Path, database_url: str) -> None:
    first = seed(tmp_path, database_url)
    assert first.returncode == 0, first.stderr
    created = await counts(database_url)
    assert created == expected_counts()
    assert created["products"] >= 200
    assert first.stdout.strip() == describe(summary_of(created))
    total = len(CATALOG.products)
    lines = first.stderr.strip().splitlines()
    assert lines[0] == f"Seeding the demo catalog: 0/{total} products"
    assert lines[-1] == f"Seeding the demo catalog: {total}/{total} products"
    published = await query(database_url, "SELECT count(*) FROM products WHERE status = 'published'")
    assert published[0][0] == sum(p.status is ProductStatus.PUBLISHED for p in CATALOG.products) >= 200
    await assert_invariants(database_url)

    before = await dump(database_url)
    second = seed(tmp_path, database_url)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == ALREADY_SEEDED
    assert await dump(database_url) == before


async def test_a_reseed_keeps_staff_edits_and_restores_only_deleted_products(
    tmp_path: Path, database_url: str
) -> None:
    assert seed(tmp_path, database_url).returncode == 0
    edited, removed = CATALOG.products[0], CATALOG.products[1]
    trimmed = next(p for p in CATALOG.products[2:] if len(p.media) > 1)
    await query(
        database_url, "UPDATE products SET title = 'Staff title' WHERE slug = :slug", slug=edited.slug
    )
    await query(database_url, "DELETE FROM products WHERE slug = :slug", slug=removed.slug)
    await query(database_url, "DELETE FROM media WHERE url = :url", url=trimmed.media[-1].url)

    again = seed(tmp_path, database_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Seeded the demo catalog: 1 product, {len(removed.variants)} variant")
    title = await query(database_url, "SELECT title FROM products WHERE slug = :slug", slug=edited.slug)
    assert title == [("Staff title",)]
    assert await query(database_url, "SELECT id FROM media WHERE url = :url", url=trimmed.media[-1].url) == []
    assert (await counts(database_url))["product_variants"] == len(VARIANTS)
    await assert_invariants(database_url)


@pytest.fixture
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated SQLite database (the bar does not depend on the engine)."""
    yield from migrated_database("sqlite", request, tmp_path)


async def test_seed_draws_a_progress_bar_on_a_terminal(tmp_path: Path, sqlite_url: str) -> None:
    code, stdout, shown = seed_on_a_terminal(tmp_path, sqlite_url)
    assert code == 0, shown
    total = len(CATALOG.products)
    assert "Seeding the demo catalog" in shown
    assert f"{total}/{total}" in shown
    assert "━" in shown  # rich's bar
    assert f"Seeding the demo catalog: {total}/{total} products" not in shown  # not the plain lines
    assert stdout.startswith("Seeded the demo catalog: ")


def test_an_unreachable_database_gives_one_line_and_exit_1(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/nowhere"
    result = subprocess.run(
        [sys.executable, "-m", "avthrift", "catalog", "seed"],
        cwd=tmp_path,
        env=_environment(url) | {"DATABASE_CONNECT_TIMEOUT": "2"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert_one_line_error(result, 1, "The database is unavailable.")
    assert result.stdout == ""


def test_help_lists_the_seed_command(tmp_path: Path) -> None:
    assert "catalog" in run(tmp_path, "--help").stdout
    result = run(tmp_path, "catalog", "--help")
    assert result.returncode == 0
    assert "seed" in result.stdout
