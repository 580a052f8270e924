"""The bulk-import bundle: gzipped CSVs with typed headers for ``neo4j-admin database import full``.

One header file and one gzipped data file per node label and relationship set, one ID space per label
(``id:ID(User)``, ``:START_ID(User)``, ``:END_ID(Device)``), typed columns (``amount:double``,
``ts:datetime{timezone:UTC}``), a ``:LABEL`` column that adds ``GT_Fraud`` to fraudulent nodes, the
exact import command in ``import.sh`` and the schema to apply after the import in ``schema.cypher``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as csv

from graphgen.output import OutputFolder
from graphgen.writers import staged_folder
from loaders.model import GROUND_TRUTH_LABEL, NODE_SETS, REL_SETS, schema_statements

BUNDLE_DIR = "neo4j"
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


def _write(directory: Path, stem: str, header: list[str], table: pa.Table) -> tuple[str, str]:
    header_file, data_file = f"{stem}.header.csv", f"{stem}.csv.gz"
    (directory / header_file).write_text(",".join(header) + "\n")
    with pa.CompressedOutputStream(str(directory / data_file), "gzip") as out:
        csv.write_csv(_csv_ready(table), out, csv.WriteOptions(include_header=False, quoting_style="needed"))
    return header_file, data_file


def import_arguments(database: str | object = "neo4j") -> list:
    """Arguments of ``neo4j-admin`` that import the bundle, run from inside the bundle folder."""
    args = ["database", "import", "full", database, "--overwrite-destination", "--id-type=integer",
            "--ignore-empty-strings=true"]
    args += [f"--nodes=nodes_{n.label.lower()}.header.csv,nodes_{n.label.lower()}.csv.gz" for n in NODE_SETS]
    args += [f"--relationships=rels_{r.name}.header.csv,rels_{r.name}.csv.gz" for r in REL_SETS]
    return args


def write_bundle(root: str | Path, on_file: Callable[[str], None] | None = None, verify: bool = True) -> Path:
    """Write ``ROOT/neo4j/`` from the output folder ``ROOT``; returns the bundle folder."""
    ds = OutputFolder(root, verify)
    ds.verify()
    with staged_folder(ds.root / BUNDLE_DIR) as staging:
        for node in NODE_SETS:
            table = node.rows(ds)
            header = [f"{node.key}:ID({node.label})"]
            header += [f"{c}{_neo4j_type(table.schema.field(c).type)}" for c in table.column_names if c != node.key]
            label = pa.array([node.label] * table.num_rows) if node.fraud is None else pc.if_else(
                pc.is_in(table.column(node.key), value_set=node.fraud(ds)),
                f"{node.label};{GROUND_TRUTH_LABEL}", node.label)
            table = table.select([node.key, *[c for c in table.column_names if c != node.key]]).append_column("label", label)
            _write(staging, f"nodes_{node.label.lower()}", [*header, ":LABEL"], table)
            if on_file:
                on_file(node.label)
        for rel in REL_SETS:
            table = rel.rows(ds)
            props = [c for c in table.column_names if c not in ("start", "end")]
            header = [f":START_ID({rel.start})", f":END_ID({rel.end})",
                      *[f"{c}{_neo4j_type(table.schema.field(c).type)}" for c in props], ":TYPE"]
            table = table.append_column("type", pa.array([rel.rel_type] * table.num_rows))
            _write(staging, f"rels_{rel.name}", header, table)
            if on_file:
                on_file(rel.name)
        (staging / "schema.cypher").write_text(";\n".join(schema_statements()) + ";\n")
        script = staging / "import.sh"
        words = ['"$DATABASE"' if a == _DATABASE else shlex.quote(a) for a in import_arguments(_DATABASE)]
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
