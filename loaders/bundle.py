"""The bulk-import bundle for ``neo4j-admin database import full``: Parquet (Neo4j 5.25 and later) or CSV.

One data file per node label and relationship set, one ID space per label (``user_id:ID(User)``,
``:START_ID(User)``, ``:END_ID(Device)``), a ``:LABEL`` column that adds ``GT_Fraud`` to fraudulent nodes, the
exact import command in ``import.sh`` and the schema to apply after the import in ``schema.cypher``.

Parquet files carry their types (timestamps as UTC datetimes to the millisecond) and are written at Parquet
speed; the CSV form, for servers before 5.25, has a typed header file per data file (``amount:double``,
``ts:datetime{timezone:UTC}``, to the second), plain by default and gzipped with ``compress``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.parquet as pq

from graphgen.errors import UsageError
from graphgen.output import OutputFolder
from graphgen.writers import staged_folder
from loaders.model import GROUND_TRUTH_LABEL, PAYMENT_MODELS, graph_sets, schema_statements

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


def _sets(ds: OutputFolder, payments: str) -> Iterator[tuple[str, list[str], pa.Table]]:
    """Each node label and relationship set: file stem, import header names (untyped) and rows, one at a time."""
    node_sets, rel_sets = graph_sets(payments)
    for node in node_sets:
        table = node.rows(ds)
        label = pa.array([node.label] * table.num_rows) if node.fraud is None else pc.if_else(
            pc.is_in(table.column(node.key), value_set=node.fraud(ds)), f"{node.label};{GROUND_TRUTH_LABEL}", node.label)
        properties = [c for c in table.column_names if c != node.key]
        table = table.select([node.key, *properties]).append_column("label", label)
        yield f"nodes_{node.label.lower()}", [f"{node.key}:ID({node.label})", *properties, ":LABEL"], table
    for rel in rel_sets:
        table = rel.rows(ds)
        properties = [c for c in table.column_names if c not in ("start", "end")]
        table = table.append_column("type", pa.array([rel.rel_type] * table.num_rows))
        yield f"rels_{rel.name}", [f":START_ID({rel.start})", f":END_ID({rel.end})", *properties, ":TYPE"], table


def _files(stem: str, input_type: str, compress: bool) -> list[str]:
    """The files of one set, as ``--nodes`` / ``--relationships`` list them."""
    if input_type == "parquet":
        return [f"{stem}.parquet"]
    return [f"{stem}.header.csv", f"{stem}.csv.gz" if compress else f"{stem}.csv"]


def _write(directory: Path, stem: str, header: list[str], table: pa.Table, input_type: str, compress: bool) -> None:
    files = _files(stem, input_type, compress)
    if input_type == "parquet":
        pq.write_table(table.rename_columns(header), directory / files[0])
        return
    typed = [name if name.startswith(":") or ":ID(" in name else f"{name}{_neo4j_type(table.schema.field(i).type)}"
             for i, name in enumerate(header)]
    (directory / files[0]).write_text(",".join(typed) + "\n")
    options = csv.WriteOptions(include_header=False, quoting_style="needed")
    if compress:
        with pa.CompressedOutputStream(str(directory / files[1]), "gzip") as out:
            csv.write_csv(_csv_ready(table), out, options)
    else:
        csv.write_csv(_csv_ready(table), str(directory / files[1]), options)


def checked_options(input_type: str, payments: str = "nodes", compress: bool = False) -> None:
    """One clear line for a bundle that cannot be written as asked."""
    if input_type not in FORMATS:
        raise UsageError(f"unknown bundle format {input_type!r}; choose one of: {', '.join(FORMATS)}")
    if payments not in PAYMENT_MODELS:
        raise UsageError(f"unknown payment model {payments!r}; choose one of: {', '.join(PAYMENT_MODELS)}")
    if compress and input_type != "csv":
        raise UsageError("compression applies to the csv format only (Parquet files are compressed already)")


def import_arguments(database: str | object = "neo4j", input_type: str = "parquet", compress: bool = False,
                     payments: str = "nodes") -> list:
    """Arguments of ``neo4j-admin`` that import the bundle, run from inside the bundle folder."""
    checked_options(input_type, payments, compress)
    node_sets, rel_sets = graph_sets(payments)
    args = ["database", "import", "full", database, "--overwrite-destination", "--id-type=integer",
            f"--input-type={input_type}"]
    if input_type == "csv":
        args.append("--ignore-empty-strings=true")
    args += [f"--nodes={','.join(_files(f'nodes_{n.label.lower()}', input_type, compress))}" for n in node_sets]
    args += [f"--relationships={','.join(_files(f'rels_{r.name}', input_type, compress))}" for r in rel_sets]
    return args


def write_bundle(root: str | Path, on_file: Callable[[str], None] | None = None, verify: bool = True,
                 input_type: str = "parquet", compress: bool = False, payments: str = "nodes") -> Path:
    """Write ``ROOT/neo4j/`` from the output folder ``ROOT``, set by set; returns the bundle folder.

    ``input_type`` is ``parquet`` or ``csv``; ``compress`` gzips the CSV files; ``payments`` is a payment model
    of :data:`loaders.model.PAYMENT_MODELS`.
    """
    checked_options(input_type, payments, compress)
    ds = OutputFolder(root, verify)
    ds.verify()
    with staged_folder(ds.root / BUNDLE_DIR) as staging:
        for stem, header, table in _sets(ds, payments):
            _write(staging, stem, header, table, input_type, compress)
            if on_file:
                on_file(stem)
        (staging / "schema.cypher").write_text(";\n".join(schema_statements(payments)) + ";\n")
        script = staging / "import.sh"
        words = ['"$DATABASE"' if a == _DATABASE else shlex.quote(a)
                 for a in import_arguments(_DATABASE, input_type, compress, payments)]
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
