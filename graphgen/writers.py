"""Stage 5: write the published graph to disk, atomically.

Files go into a hidden staging folder next to the destination; the manifest (rows and sha256 per file,
the full resolved config, seconds per stage) is written last, and only then is the staging folder moved
into place. An interrupted run leaves the destination untouched and never looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from graphgen import __version__
from graphgen.concurrency import WORKERS
from graphgen.errors import UsageError
from graphgen.graph import EntityGraph
from graphgen.output import CHECKSUM, MANIFEST, file_sha256, manifest_checksum

FORMAT_VERSION = 1


def _describe_os_error(exc: OSError) -> str:
    return exc.strerror or str(exc)


def stage_output(out: Path, overwrite: bool) -> Path:
    """Check that ``out`` may be written and create a staging folder beside it.

    Raises :class:`UsageError` (before anything is generated) when ``out`` is an existing file, a
    non-empty folder without ``overwrite``, or in a place that cannot be written.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UsageError(f"output folder {out} exists and is not empty; pass --overwrite to replace it")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the output should not be
        return staging
    except OSError as exc:
        raise UsageError(f"cannot write to {parent}: {_describe_os_error(exc)}") from None


def _write_table(table: pa.Table, path: Path) -> dict[str, Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Dictionary-encode only strings: trying it on integer and float columns costs time and saves nothing.
    strings = [f.name for f in table.schema if pa.types.is_string(f.type)]
    pq.write_table(table, path, compression="zstd", compression_level=1, use_dictionary=strings)
    return {"rows": table.num_rows, "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def write_graph(
    graph: EntityGraph,
    staging: Path,
    on_file: Callable[[str], None] | None = None,
    extra_seconds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Write every table into ``staging`` (from :func:`staged_folder`), then the manifest."""
    tables = graph.tables()
    files: dict[str, dict[str, Any]] = {}
    # Two writers at a time: Parquet encoding releases the GIL, so large tables overlap on 2 cores.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {rel: pool.submit(_write_table, table, staging / rel) for rel, table in tables.items()}
        for rel, future in futures.items():
            files[rel] = future.result()
            if on_file is not None:
                on_file(rel)
    manifest = {
        "format_version": FORMAT_VERSION,
        "graphgen_version": __version__,
        "seed": graph.config.seed,
        "config": graph.config.model_dump(mode="json"),
        "files": files,
        "stage_seconds": {**graph.stage_seconds, **(extra_seconds or {})},
    }
    manifest[CHECKSUM] = manifest_checksum(manifest)
    tmp = staging / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, staging / MANIFEST)
    return manifest


def _move_into_place(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.absolute().parent))
        os.replace(out, old / out.name)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_folder(final: Path, overwrite: bool = True) -> Iterator[Path]:
    """Write into a hidden folder beside ``final``; it replaces ``final`` only if the block succeeds.

    ``final`` is checked (see :func:`stage_output`) before the block runs, so bad paths fail early. A write
    that fails (disk full, say) becomes one :class:`UsageError` line, with ``final`` untouched.
    """
    staging = stage_output(final, overwrite)
    try:
        yield staging
        _move_into_place(staging, final)
    except OSError as exc:  # disk full, quota, permissions: the folder is left as it was
        shutil.rmtree(staging, ignore_errors=True)
        raise UsageError(f"cannot write {final}: {_describe_os_error(exc)}; nothing was written") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
