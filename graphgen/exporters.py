"""Exporters: ``graphgen export FORMAT OUT [OPTIONS]`` turns a built folder into another tool's input.

An exporter is one function registered under the ``graphgen.exporters`` entry-point group (see
``pyproject.toml``): a typer command whose first argument is the output folder and whose other parameters
are its options. It reads the folder through :class:`graphgen.output.OutputFolder` and writes beside it,
atomically. The modules that hold exporters import their heavy dependencies only when they run, so listing
them stays cheap and an exporter whose extra is not installed says so in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import EntryPoint, entry_points

GROUP = "graphgen.exporters"


def exporters() -> dict[str, EntryPoint]:
    """Registered exporters by format name."""
    return {ep.name: ep for ep in sorted(entry_points(group=GROUP), key=lambda ep: ep.name)}


def load_exporter(entry: EntryPoint) -> Callable[..., None]:
    return entry.load()
