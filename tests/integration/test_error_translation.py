"""Driver errors become domain errors at the adapter boundary (architecture rule 2)."""

import pytest
from sqlalchemy import text

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.errors import translate_errors
from avthrift.domain.shared.errors import InvalidInputError, ServiceUnavailableError


async def test_a_value_postgres_cannot_store_is_invalid_input(postgres_database: str) -> None:
    engine = create_engine(postgres_database)
    async with engine.connect() as connection:
        with pytest.raises(InvalidInputError), translate_errors():
            await connection.execute(text("SELECT CAST(:value AS text)"), {"value": "nul\x00byte"})
    async with engine.connect() as connection:
        with pytest.raises(InvalidInputError), translate_errors():
            await connection.execute(text("SELECT CAST(:value AS smallint)"), {"value": 10**6})
    await engine.dispose()


async def test_an_unreachable_database_is_service_unavailable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none", connect_timeout_seconds=1)
    with pytest.raises(ServiceUnavailableError), translate_errors():
        async with engine.connect():
            pass
    await engine.dispose()
