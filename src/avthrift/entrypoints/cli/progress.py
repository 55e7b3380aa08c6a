"""Progress of long commands, on stderr: a bar on an interactive terminal, plain lines otherwise
(pipes, logs, CI, `TERM=dumb`)."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

type ProgressCallback = Callable[[int, int], None]


@contextmanager
def progress_bar(description: str, unit: str) -> Iterator[ProgressCallback]:
    """Yield `report(done, total)`, which moves the bar (or prints `description: done/total unit`)."""
    console = Console(stderr=True)
    if not console.is_interactive:

        def print_line(done: int, total: int) -> None:
            print(f"{description}: {done}/{total} {unit}", file=sys.stderr, flush=True)

        yield print_line
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(description, total=None)

        def move_bar(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield move_bar
