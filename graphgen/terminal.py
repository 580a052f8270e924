"""Where the command line writes: results to stdout, progress and errors to stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

NO_VERIFY_HELP = "Read the files without checking them against the manifest's sha256 (faster; for files you trust)."

out_console = Console()
err_console = Console(stderr=True)


@contextmanager
def progress_bar(quiet: bool = False) -> Iterator[Progress]:
    """Progress on stderr: one line per stage with a spinner while it runs.

    The bars stay on screen after success; on any error or interrupt they are erased, so that the error's
    one line is all that is left.
    """
    progress = Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description:<14}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=err_console, disable=quiet, transient=False,
    )
    progress.start()
    failed = False
    try:
        yield progress
    except BaseException:
        failed = progress.live.transient = True
        raise
    finally:
        err_console.quiet = failed  # stopping ends with a newline where stderr is no terminal: not before an error
        try:
            progress.stop()
        finally:
            err_console.quiet = False
