from granian import Granian
from granian.constants import Interfaces, Loops

from avthrift.bootstrap import make_migrator
from avthrift.config import load_settings
from avthrift.entrypoints.cli.runtime import CommandError

APP_FACTORY = "avthrift.entrypoints.http.app:create_app"


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the HTTP API with Granian.

    In the dev profile on SQLite the schema is brought up to date first.

    Parameters
    ----------
    host
        Address to listen on.
    port
        TCP port to listen on.
    workers
        Number of worker processes.
    """
    if not 0 < port < 65536:  # noqa: PLR2004
        raise CommandError(f"--port must be between 1 and 65535, got {port}", 2)
    if workers < 1:
        raise CommandError(f"--workers must be at least 1, got {workers}", 2)
    settings = load_settings()  # validate before any worker starts
    if settings.profile == "dev" and settings.database.is_sqlite:
        make_migrator(settings).upgrade()
    Granian(
        APP_FACTORY,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        factory=True,
        log_access=False,
    ).serve()
