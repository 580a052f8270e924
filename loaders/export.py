"""``graphgen export neo4j``: the bulk-import bundle for ``neo4j-admin`` (see :mod:`loaders.bundle`)."""

from __future__ import annotations

from pathlib import Path

import typer

from graphgen.output import OutputFolder
from graphgen.terminal import NO_VERIFY_HELP, out_console, progress_bar


def neo4j(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Write OUT/neo4j/: gzipped CSVs with typed headers, import.sh and schema.cypher for neo4j-admin."""
    from loaders.bundle import write_bundle
    from loaders.model import NODE_SETS, REL_SETS

    OutputFolder(out)  # one clear line when OUT is not a complete build, before any progress shows
    with progress_bar() as progress:
        task = progress.add_task("neo4j bundle", total=len(NODE_SETS) + len(REL_SETS))
        bundle = write_bundle(out, on_file=lambda _: progress.advance(task), verify=not no_verify)
    out_console.print(f"wrote {bundle}/: run {bundle}/import.sh with the server stopped, then apply schema.cypher")
