"""A progress bar for index builds, drawn on stderr with rich."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leakguard.index.build import Progress as ProgressCallback


@contextmanager
def index_progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a callback for :func:`leakguard.build_index`, or None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console

    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(done: int, total: int, path: str) -> None:
            """Advance the bar to ``done`` of ``total`` files."""
            bar.update(task, completed=done, total=total, description=path[-50:])

        yield update
