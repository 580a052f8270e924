"""The one reader of a ``graphgen build`` output folder, used by every command and exporter.

An output folder is complete when its ``manifest.json`` exists (it is written last). :class:`OutputFolder`
reads the manifest once and then tables on demand, whole or as a stream of record batches, so an exporter
that writes table by table never holds more than one table (or one batch) at a time.

Nothing is read unverified: before a file is first used, its size, sha256 (streamed) and Parquet row count
are checked against the manifest, so a flipped bit, a truncated or a missing file stops the command with one
line naming the file, before anything is written anywhere. ``verify=False`` (``--no-verify``) skips the
hashes for users who know the files are right; damage pyarrow itself notices is still one line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from graphgen import schema
from graphgen.config import GraphgenConfig
from graphgen.errors import UsageError
from graphgen.graph import EntityGraph

MANIFEST = "manifest.json"
CHECKSUM = "manifest_sha256"  # of the manifest's other keys, so that the manifest itself is verified too


def manifest_checksum(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != CHECKSUM}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def read_manifest(out: str | Path) -> dict[str, Any]:
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise UsageError(f"{out} is not a complete graphgen output (no {MANIFEST}); run `graphgen build` first")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get(CHECKSUM) != manifest_checksum(manifest):
        raise UsageError(f"{path} is damaged or was edited (its checksum does not match); rebuild the folder")
    return manifest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class OutputFolder:
    """Lazy, cached, verified access to the tables of one output folder (refused without a manifest)."""

    def __init__(self, root: str | Path, verify: bool = True):
        self.root = Path(root)
        self.manifest = read_manifest(self.root)
        self.verify_hashes = verify
        self._cache: dict[str, pa.Table] = {}
        self._derived: dict[Hashable, Any] = {}
        self._checked: set[str] = set()

    def check(self, path: str) -> None:
        """Refuse ``path`` (one line, naming it) unless it is the file the manifest describes."""
        if path in self._checked:
            return
        entry = self.manifest.get("files", {}).get(path)
        file = self.root / path
        where = f"{self.root}/{path}"
        if entry is None:
            raise UsageError(f"{where} is not listed in {MANIFEST}; the folder was not written by this graphgen")
        if not file.is_file():
            raise UsageError(f"{where} is missing; rebuild the folder with `graphgen build`")
        try:
            size = file.stat().st_size
            if size != entry["bytes"]:
                raise UsageError(f"{where} has {size:,} bytes, the manifest says {entry['bytes']:,}: the file is damaged "
                                 "or was changed after `graphgen build`")
            if self.verify_hashes and file_sha256(file) != entry["sha256"]:
                raise UsageError(f"{where} does not match its sha256 in {MANIFEST}: the file is damaged or was changed "
                                 "after `graphgen build` (--no-verify reads it anyway)")
            rows = pq.read_metadata(file).num_rows
        except OSError as exc:
            raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None
        except pa.ArrowException as exc:
            raise UsageError(f"cannot read {where}: not a readable Parquet file ({' '.join(str(exc).split())})") from None
        if rows != entry["rows"]:
            raise UsageError(f"{where} has {rows:,} rows, the manifest says {entry['rows']:,}")
        self._checked.add(path)

    def verify(self, paths: list[str] | None = None) -> None:
        """Check every file the manifest lists (or ``paths``) before a command changes anything."""
        for path in paths if paths is not None else sorted(self.manifest["files"]):
            self.check(path)

    @cached_property
    def config(self) -> GraphgenConfig:
        return GraphgenConfig.model_validate(self.manifest["config"])

    def rows(self, path: str) -> int:
        """Rows of a published table, from the manifest."""
        return int(self.manifest["files"][path]["rows"])

    def table(self, path: str, columns: list[str] | None = None) -> pa.Table:
        """A published table (``path`` as in :mod:`graphgen.schema`); whole tables are cached."""
        if columns is not None:
            return self._read(path, columns)
        if path not in self._cache:
            self._cache[path] = self._read(path, None)
        return self._cache[path]

    def _read(self, path: str, columns: list[str] | None) -> pa.Table:
        self.check(path)
        try:
            return pq.read_table(self.root / path, columns=columns)
        except (OSError, pa.ArrowException) as exc:  # damage pyarrow notices itself, with --no-verify
            raise UsageError(f"cannot read {self.root}/{path}: {' '.join(str(exc).split())}") from None

    def batches(self, path: str, batch_size: int = 1 << 16, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """A published table as a stream of record batches, without reading it whole; an empty table is one
        empty batch (so that a writer still learns the columns)."""
        self.check(path)
        try:
            file = pq.ParquetFile(self.root / path)
            if file.metadata.num_rows == 0:
                schema = file.schema_arrow
                yield pa.RecordBatch.from_pylist([], schema=schema if columns is None else pa.schema([schema.field(c) for c in columns]))
                return
            yield from file.iter_batches(batch_size=batch_size, columns=columns)
        except (OSError, pa.ArrowException) as exc:
            raise UsageError(f"cannot read {self.root}/{path}: {' '.join(str(exc).split())}") from None

    def aligned_batches(self, parts: list[tuple[str, list[str] | None]], batch_size: int = 1 << 16) -> Iterator[list[pa.Table]]:
        """Tables with the same rows (``(path, columns)`` each, sorted by the same id), batch by batch side by
        side: each item holds one slice per table, all over the same rows."""
        counts = {path: self.rows(path) for path, _ in parts}
        if len(set(counts.values())) > 1:
            raise UsageError(f"{self.root}: tables that should have the same rows do not ({counts})")
        (lead, columns), *others = parts
        followers = [_Rows(self.batches(path, batch_size, cols)) for path, cols in others]
        for batch in self.batches(lead, batch_size, columns):
            yield [pa.Table.from_batches([batch]), *(f.take(batch.num_rows) for f in followers)]

    def derived(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per folder and ``key``: what several exporters' sets derive from the same tables."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def graph(self) -> EntityGraph:
        """The whole graph in memory, as :func:`graphgen.generate` returned it."""
        return EntityGraph(
            nodes={n: self.table(s.path) for n, s in schema.NODES.items()},
            edges={n: self.table(s.path) for n, s in schema.EDGES.items()},
            transactions=self.table(schema.TRANSACTIONS.path),
            events=self.table(schema.EVENTS.path),
            labels={n: self.table(s.path) for n, s in schema.LABELS.items()},
            config=self.config,
            stage_seconds=self.manifest.get("stage_seconds", {}),
        )

    @property
    def fingerprint(self) -> str:
        """Identifies the dataset: the hash of its manifest's file hashes."""
        digest = hashlib.sha256()
        for path in sorted(self.manifest["files"]):
            digest.update(f"{path}:{self.manifest['files'][path]['sha256']};".encode())
        return digest.hexdigest()[:16]


class _Rows:
    """A stream of record batches handed out as runs of any number of rows."""

    def __init__(self, batches: Iterator[pa.RecordBatch]):
        self._batches = batches
        self._held: list[pa.RecordBatch] = []
        self._n = 0
        self._schema: pa.Schema | None = None

    def take(self, n: int) -> pa.Table:
        while self._n < n or self._schema is None:
            batch = next(self._batches)
            self._schema = batch.schema
            self._held.append(batch)
            self._n += batch.num_rows
        held = pa.Table.from_batches(self._held, schema=self._schema)
        self._held, self._n = held.slice(n).to_batches(), self._n - n
        return held.slice(0, n)


def read_graph(path: str | Path, verify: bool = True) -> EntityGraph:
    """Read a graph written by ``graphgen build`` (refusing a folder without a manifest, or damaged files)."""
    return OutputFolder(path, verify).graph()
