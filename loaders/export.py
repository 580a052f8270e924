"""``graphgen export neo4j``: the bulk-import bundle for ``neo4j-admin`` (see :mod:`loaders.bundle`)."""

from __future__ import annotations

from pathlib import Path

import typer

from graphgen.output import OutputFolder
from graphgen.terminal import NO_VERIFY_HELP, out_console, progress_bar


def neo4j(
    out: Path = typer.Argument(..., metavar="OUT", help="An output folder written by `graphgen build`."),
    input_type: str = typer.Option("parquet", "--format", help="parquet (Neo4j 5.25 and later) or csv (any Neo4j 5)."),
    compress: bool = typer.Option(False, "--compress", help="Gzip the CSV files (smaller, several times slower)."),
    payments: str = typer.Option("nodes", "--payments",
                                 help="nodes: one :Transaction per payment; aggregated: only TRANSFERS_TO (a fraction of the size)."),
    recent: int = typer.Option(0, "--recent-payments", metavar="N",
                               help="With --payments aggregated: also the last N payments of each pair as :Transaction nodes."),
    no_verify: bool = typer.Option(False, "--no-verify", help=NO_VERIFY_HELP),
) -> None:
    """Write OUT/neo4j/: one Parquet (or CSV) file per label and relationship set, import.sh and schema.cypher
    for neo4j-admin."""
    from loaders.bundle import checked_options, write_bundle
    from loaders.model import graph_sets

    checked_options(input_type, payments, compress, recent)
    OutputFolder(out)  # one clear line when OUT is not a complete build, before any progress shows
    with progress_bar() as progress:
        task = progress.add_task("neo4j bundle", total=sum(map(len, graph_sets(payments, recent))))
        bundle = write_bundle(out, on_file=lambda _: progress.advance(task), verify=not no_verify,
                              input_type=input_type, compress=compress, payments=payments, recent=recent)
    out_console.print(f"wrote {bundle}/: run {bundle}/import.sh with the server stopped, then apply schema.cypher")
