"""Where the command line writes: results to stdout, progress and errors to stderr."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

out_console = Console()
err_console = Console(stderr=True)


def progress_bar(quiet: bool = False) -> Progress:
    """Progress on stderr: one line per stage with a spinner while it runs."""
    return Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description:<14}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=err_console, disable=quiet, transient=False,
    )
