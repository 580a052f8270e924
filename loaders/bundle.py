"""The bulk-import bundle for ``neo4j-admin database import full``: Parquet (Neo4j 5.25 and later) or CSV.

One data file per node label and relationship set, one ID space per label (``user_id:ID(User)``,
``:START_ID(User)``, ``:END_ID(Device)``), a ``:LABEL`` column that adds ``GT_Fraud`` to fraudulent nodes, the
exact import command in ``import.sh`` and the schema to apply after the import in ``schema.cypher``.

Parquet files carry their types (timestamps as UTC datetimes to the millisecond) and are written at Parquet
speed; the CSV form, for servers before 5.25, has a typed header file per data file (``amount:double``,
``ts:datetime{timezone:UTC}``, to the millisecond too), plain by default and gzipped with ``compress``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.parquet as pq

from graphgen.errors import UsageError
from graphgen.output import OutputFolder
from graphgen.writers import staged_folder
from loaders.model import GROUND_TRUTH_LABEL, NodeSet, RelSet, checked_payments, graph_sets, schema_statements

BUNDLE_DIR = "neo4j"
FORMATS = ("parquet", "csv")
_DATABASE = object()  # stands for the script's "$DATABASE" argument


def _neo4j_type(dtype: pa.DataType) -> str:
    if pa.types.is_timestamp(dtype):
        return ":datetime{timezone:UTC}"
    if pa.types.is_integer(dtype):
        return ":long"
    if pa.types.is_floating(dtype):
        return ":double"
    if pa.types.is_boolean(dtype):
        return ":boolean"
    return ""


def _csv_ready(table: pa.Table) -> pa.Table:
    """Timestamps as ISO-8601 text, which neo4j-admin parses as datetimes."""
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            column = pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")
        columns[name] = column
    return pa.table(columns)


EXPORT_BATCH = 1 << 20  # rows per batch (and per Parquet row group): memory stays flat as the graph grows


def _sets(ds: OutputFolder, payments: str, recent: int) -> Iterator[tuple[str, Iterator[pa.Table]]]:
    """Each node label and relationship set: its file stem and its rows, batch by batch, under their import
    header names (untyped)."""
    node_sets, rel_sets = graph_sets(payments, recent)
    for node in node_sets:
        yield f"nodes_{node.label.lower()}", _node_rows(ds, node)
    for rel in rel_sets:
        yield f"rels_{rel.name}", _rel_rows(ds, rel)


def _node_rows(ds: OutputFolder, node: NodeSet) -> Iterator[pa.Table]:
    fraud = None if node.fraud is None else node.fraud(ds)
    for table in node.batches(ds, EXPORT_BATCH):
        label = pa.array([node.label] * table.num_rows, pa.string()) if fraud is None else pc.if_else(
            pc.is_in(table.column(node.key), value_set=fraud), f"{node.label};{GROUND_TRUTH_LABEL}", node.label)
        properties = [c for c in table.column_names if c != node.key]
        table = table.select([node.key, *properties]).append_column("label", label)
        yield table.rename_columns([f"{node.key}:ID({node.label})", *properties, ":LABEL"])


def _rel_rows(ds: OutputFolder, rel: RelSet) -> Iterator[pa.Table]:
    for table in rel.batches(ds, EXPORT_BATCH):
        table = table.append_column("type", pa.array([rel.rel_type] * table.num_rows, pa.string()))
        yield table.rename_columns([f":START_ID({rel.start})", f":END_ID({rel.end})", *table.column_names[2:-1], ":TYPE"])


def _files(stem: str, input_type: str, compress: bool) -> list[str]:
    """The files of one set, as ``--nodes`` / ``--relationships`` list them."""
    if input_type == "parquet":
        return [f"{stem}.parquet"]
    return [f"{stem}.header.csv", f"{stem}.csv.gz" if compress else f"{stem}.csv"]


def _write(directory: Path, stem: str, tables: Iterator[pa.Table], input_type: str, compress: bool) -> None:
    """Stream one set's batches into its file(s)."""
    files = _files(stem, input_type, compress)
    first = next(tables)
    if input_type == "parquet":
        with pq.ParquetWriter(directory / files[0], first.schema) as writer:
            for table in chain([first], tables):
                writer.write_table(table)
        return
    typed = [name if name.startswith(":") or ":ID(" in name else f"{name}{_neo4j_type(first.schema.field(i).type)}"
             for i, name in enumerate(first.column_names)]
    (directory / files[0]).write_text(",".join(typed) + "\n")
    options = csv.WriteOptions(include_header=False, quoting_style="needed")
    sink = pa.CompressedOutputStream(str(directory / files[1]), "gzip") if compress else pa.OSFile(str(directory / files[1]), "wb")
    with sink, csv.CSVWriter(sink, _csv_ready(first).schema, write_options=options) as writer:
        for table in chain([first], tables):
            writer.write_table(_csv_ready(table))


def checked_options(input_type: str, payments: str = "nodes", compress: bool = False, recent: int = 0) -> None:
    """One clear line for a bundle that cannot be written as asked."""
    if input_type not in FORMATS:
        raise UsageError(f"unknown bundle format {input_type!r}; choose one of: {', '.join(FORMATS)}")
    checked_payments(payments, recent)
    if compress and input_type != "csv":
        raise UsageError("compression applies to the csv format only (Parquet files are compressed already)")


def import_arguments(database: str | object = "neo4j", input_type: str = "parquet", compress: bool = False,
                     payments: str = "nodes", recent: int = 0) -> list:
    """Arguments of ``neo4j-admin`` that import the bundle, run from inside the bundle folder."""
    checked_options(input_type, payments, compress, recent)
    node_sets, rel_sets = graph_sets(payments, recent)
    args = ["database", "import", "full", database, "--overwrite-destination", "--id-type=integer",
            f"--input-type={input_type}"]
    if input_type == "csv":
        args.append("--ignore-empty-strings=true")
    args += [f"--nodes={','.join(_files(f'nodes_{n.label.lower()}', input_type, compress))}" for n in node_sets]
    args += [f"--relationships={','.join(_files(f'rels_{r.name}', input_type, compress))}" for r in rel_sets]
    return args


def write_bundle(root: str | Path, on_file: Callable[[str], None] | None = None, verify: bool = True,
                 input_type: str = "parquet", compress: bool = False, payments: str = "nodes", recent: int = 0) -> Path:
    """Write ``ROOT/neo4j/`` from the output folder ``ROOT``, set by set and batch by batch; returns the bundle
    folder.

    ``input_type`` is ``parquet`` or ``csv``; ``compress`` gzips the CSV files; ``payments`` is a payment model
    of :data:`loaders.model.PAYMENT_MODELS` (``recent``: payments kept per pair with ``aggregated``).
    """
    checked_options(input_type, payments, compress, recent)
    ds = OutputFolder(root, verify)
    ds.verify()
    with staged_folder(ds.root / BUNDLE_DIR) as staging:
        for stem, tables in _sets(ds, payments, recent):
            _write(staging, stem, tables, input_type, compress)
            if on_file:
                on_file(stem)
        (staging / "schema.cypher").write_text(";\n".join(schema_statements(payments, recent)) + ";\n")
        script = staging / "import.sh"
        words = ['"$DATABASE"' if a == _DATABASE else shlex.quote(a)
                 for a in import_arguments(_DATABASE, input_type, compress, payments, recent)]
        script.write_text(IMPORT_SCRIPT.format(args=" \\\n  ".join(words)))
        script.chmod(0o755)
    return ds.root / BUNDLE_DIR


IMPORT_SCRIPT = """#!/usr/bin/env bash
# Bulk-import this bundle into an empty (or replaced) Neo4j 5 database, then apply schema.cypher once the
# server runs (Community edition cannot create constraints during the import):
#   ./import.sh [DATABASE]            # default database: neo4j; stop the server first
#   cypher-shell -u neo4j -p "$NEO4J_PASSWORD" -f schema.cypher
set -euo pipefail
cd "$(dirname "$0")"
DATABASE="${{1:-neo4j}}"
neo4j-admin \\
  {args}
"""
