"""Load an output folder into a running Neo4j over Bolt with the official driver.

Every file is verified against the manifest first (nothing reaches the database from a damaged folder).
Then key constraints, nodes, relationships, each in ``UNWIND $rows`` batches inside managed write transactions
(the driver retries transient errors), ``workers`` of them at once, read from the Parquet files batch by batch;
the query indexes last (building an index once is cheaper than keeping it up to date row by row).
A ``(:GraphgenMeta)`` node records which dataset (and payment model) the database holds and whether loading
finished:

* into an empty database, nodes are CREATEd (fast; the uniqueness constraints make a duplicate an error);
* into a database holding the same dataset (a finished load, or one killed half-way), nodes are MERGEd on
  their keys, so loading again gives the same graph with exact counts;
* into anything else it refuses, unless ``wipe`` (delete everything first).

Relationships are CREATEd (no existence check: the fastest write) by a load that started on an empty
database, or that resumes such a load with the same batch size; each batch commits together with a
``(:GraphgenBatch {key})`` marker (unique by constraint), so a resumed load skips exactly the batches that
committed and a batch can never be written twice. The batch also checks, under the meta node's lock, that
its load is still the one writing: a load forced to take over (``force_unlock``) makes the earlier one stop
with one line. Any other load (a finished dataset loaded again, another batch size) MERGEs relationships
between their matched end nodes, which Neo4j does under locks on both nodes. Markers go when the load
finishes. Loads are exclusive: a load claims the ``(:GraphgenLock {name: 'load'})`` node (unique by
constraint) in its own transaction, keeps a heartbeat on it and removes it when it ends, however it ends; a
second load is refused with one line while the first runs. A lock left by a killed load is broken with
``force_unlock`` (``--force-unlock``).
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import chain
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import pyarrow as pa
from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo4j_errors

from graphgen.errors import UsageError
from graphgen.output import OutputFolder
from loaders.model import (GROUND_TRUTH_LABEL, LOCK_LABEL, META_LABEL, NODE_SET, REL_SETS, NodeSet, RelSet, checked_payments,
                           graph_sets, key_constraints, query_indexes)

# The driver logs retries and dropped connections; the user gets the outcome as one line instead.
logging.getLogger("neo4j").addHandler(logging.NullHandler())
logging.getLogger("neo4j").propagate = False

LOADING, COMPLETE = "loading", "complete"
HEARTBEAT_SECONDS = 5.0  # how often a running load touches its lock
STALE_SECONDS = 60.0  # a lock not touched for this long is reported as probably left by a dead load
MAX_WORKERS = 16
READ_BATCH = 1 << 16  # rows read from Parquet at a time (then sent in batch_size transactions)
BATCH_LABEL = "GraphgenBatch"  # a relationship batch CREATEd by a load that has not finished
INDEX_WAIT_SECONDS = 3600  # how long a load waits for its query indexes to come online


@dataclass
class LoadReport:
    mode: str  # nodes: "create" into an empty database, "merge" over an earlier load of the same dataset
    relationship_mode: str = "create"  # "create" (guarded by batch markers) or "merge"; see the module docstring
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    relationship_seconds: float = 0.0
    index_seconds: float = 0.0

    @property
    def relationships_per_second(self) -> float:
        return sum(self.relationships.values()) / max(self.relationship_seconds, 1e-9)


BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def connect(uri: str, user: str, password: str, database: str) -> Driver:
    """A verified driver; unreachable servers, bad credentials and unknown databases become UsageError."""
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme not in BOLT_SCHEMES:
        # The driver's HTTP support is a preview without the transactions the loader relies on.
        raise UsageError(f"unsupported Neo4j URI {uri!r}: the loader speaks Bolt; use {' or '.join(s + '://' for s in BOLT_SCHEMES[::3])}"
                         "HOST:7687")
    try:
        driver = GraphDatabase.driver(uri, auth=(user, password), notifications_min_severity="OFF")
    except (neo4j_errors.ConfigurationError, ValueError) as exc:
        raise UsageError(f"invalid Neo4j URI {uri!r}: {exc}") from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=database)
    except neo4j_errors.AuthError:
        driver.close()
        raise UsageError(f"Neo4j at {uri} rejected the credentials of user {user!r}") from None
    except neo4j_errors.ServiceUnavailable as exc:
        driver.close()
        raise UsageError(f"cannot reach Neo4j at {uri}: {exc}") from None
    except neo4j_errors.ClientError as exc:
        driver.close()
        if exc.code and "DatabaseNotFound" in exc.code:
            raise UsageError(f"database {database!r} does not exist on {uri}") from None
        raise UsageError(f"Neo4j at {uri} refused the connection: {exc.message}") from None
    return driver


def _batches(tables: Iterator[pa.Table], size: int) -> Iterator[pa.RecordBatch]:
    """Rows ``size`` at a time; timestamps go as epoch milliseconds (Cypher turns them into datetimes). They
    become Python dicts only when written, so the batches a resumed load skips cost no conversion."""
    for table in tables:
        plain = pa.table({name: column.cast(pa.int64()) if pa.types.is_timestamp(column.type) else column
                          for name, column in zip(table.column_names, table.columns)})
        yield from plain.to_batches(max_chunksize=size)


def _peeked(tables: Iterator[pa.Table]) -> tuple[pa.Schema, Iterator[pa.Table]]:
    """The columns of a stream of tables (every stream has at least one table), and the whole stream."""
    first = next(tables)
    return first.schema, chain([first], tables)


def _value(schema: pa.Schema, name: str) -> str:
    """The Cypher expression for column ``name`` of ``row``."""
    if pa.types.is_timestamp(schema.field(name).type):
        return f"CASE WHEN row.{name} IS NULL THEN null ELSE datetime({{epochMillis: row.{name}}}) END"
    return f"row.{name}"


def _properties(schema: pa.Schema, names: list[str]) -> str:
    return "{" + ", ".join(f"{n}: {_value(schema, n)}" for n in names) + "}"


def node_query(node: NodeSet, schema: pa.Schema, merge: bool) -> str:
    props = _properties(schema, schema.names)
    if merge:
        return f"UNWIND $rows AS row MERGE (n:{node.label} {{{node.key}: row.{node.key}}}) SET n += {props}"
    return f"UNWIND $rows AS row CREATE (n:{node.label}) SET n = {props}"


def rel_groups(rel_sets: tuple[RelSet, ...] = REL_SETS) -> list[list[RelSet]]:
    """Relationship sets that read the same rows, in model order: each group is one statement per batch."""
    groups: dict[tuple, list[RelSet]] = {}
    for rel in rel_sets:
        groups.setdefault((rel.source, rel.only, rel.keep), []).append(rel)
    return list(groups.values())


def group_batches(ds: OutputFolder, group: list[RelSet], size: int) -> Iterator[pa.Table]:
    """The source rows of a group, with the columns its statement reads, batch by batch."""
    columns = dict.fromkeys(c for rel in group for c in (rel.start_column, rel.end_column, *rel.properties))
    return group[0].source_batches(ds, size, list(columns))


def rel_query(group: list[RelSet], schema: pa.Schema, create: bool = False) -> str:
    """One statement writing every relationship of a group for each row: each end node is looked up once.

    MERGE between matched nodes locks both before it creates, so concurrent loads cannot duplicate; CREATE
    skips the check, for batches guarded by a marker (see the module docstring).
    """
    lines, nodes = ["UNWIND $rows AS row"], {}
    for rel in group:
        for label, column in ((rel.start, rel.start_column), (rel.end, rel.end_column)):
            if (label, column) not in nodes:
                nodes[label, column] = f"n{len(nodes)}"
                lines.append(f"MATCH ({nodes[label, column]}:{label} {{{NODE_SET[label].key}: row.{column}}})")
    verb = "CREATE" if create else "MERGE"
    for i, rel in enumerate(group):
        lines.append(f"{verb} ({nodes[rel.start, rel.start_column]})-[r{i}:{rel.rel_type}]->({nodes[rel.end, rel.end_column]})")
        if rel.properties:
            lines.append(f"SET r{i} += {_properties(schema, list(rel.properties))}")
    return " ".join(lines)


def _state(driver: Driver, database: str) -> tuple[bool, dict | None]:
    """Whether the database holds any node (locks aside), and the graphgen meta node if there is one."""
    records, _, _ = driver.execute_query(
        f"OPTIONAL MATCH (m:{META_LABEL}) WITH m LIMIT 1 "
        f"RETURN m {{.dataset, .status, .batch_size}} AS meta, EXISTS {{ MATCH (n) WHERE NOT n:{LOCK_LABEL} }} AS any_node",
        database_=database)
    return records[0]["any_node"], records[0]["meta"]


def wipe_database(driver: Driver, database: str) -> None:
    """Delete everything but a load lock (the load that wipes holds it)."""
    with driver.session(database=database) as session:
        session.run(f"MATCH (n) WHERE NOT n:{LOCK_LABEL} CALL {{ WITH n DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS").consume()


class LoadLock:
    """The database-wide load lock: claimed in its own transaction, kept alive by a heartbeat thread."""

    def __init__(self, driver: Driver, database: str, uri: str):
        self.driver, self.database, self.uri = driver, database, uri
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def claim(self, force: bool) -> None:
        self.driver.execute_query(f"CREATE CONSTRAINT graphgen_lock_name IF NOT EXISTS FOR (l:{LOCK_LABEL}) REQUIRE l.name IS UNIQUE",
                                  database_=self.database)
        if force:
            self.driver.execute_query(f"MATCH (l:{LOCK_LABEL} {{name: 'load'}}) DELETE l", database_=self.database)
        try:
            self.driver.execute_query(
                f"CREATE (:{LOCK_LABEL} {{name: 'load', owner: $owner, started: datetime(), heartbeat: datetime()}})",
                owner=self.owner, database_=self.database)
        except neo4j_errors.ConstraintError:
            raise UsageError(self._held_message()) from None
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._thread.start()

    def _held_message(self) -> str:
        records, _, _ = self.driver.execute_query(
            f"MATCH (l:{LOCK_LABEL} {{name: 'load'}}) RETURN l.owner AS owner, toString(l.started) AS started, "
            "duration.inSeconds(l.heartbeat, datetime()).seconds AS idle", database_=self.database)
        if not records:
            return f"another load into {self.database!r} on {self.uri} just started or ended; try again"
        held = records[0]
        advice = ("it has not shown a sign of life for {idle} s: if that load is dead, pass --force-unlock"
                  if held["idle"] >= STALE_SECONDS
                  else "wait for it to finish (heartbeat {idle} s ago), or pass --force-unlock once it is gone")
        return (f"database {self.database!r} on {self.uri} is being loaded by {held['owner']} since {held['started']}; "
                + advice.format(idle=held["idle"]))

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.driver.execute_query(f"MATCH (l:{LOCK_LABEL} {{name: 'load', owner: $owner}}) SET l.heartbeat = datetime()",
                                          owner=self.owner, database_=self.database)
            except neo4j_errors.Neo4jError:
                pass  # the load's own next write reports a lost server
            except (neo4j_errors.DriverError, OSError):
                return

    def held(self) -> bool:
        records, _, _ = self.driver.execute_query(f"MATCH (l:{LOCK_LABEL} {{name: 'load', owner: $owner}}) RETURN count(l) AS n",
                                                  owner=self.owner, database_=self.database)
        return records[0]["n"] == 1

    def release(self) -> None:
        """Stop the heartbeat and remove the lock if it is still ours (best effort: the server may be gone)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT_SECONDS + 5)
        try:
            self.driver.execute_query(f"MATCH (l:{LOCK_LABEL} {{name: 'load', owner: $owner}}) DELETE l",
                                      owner=self.owner, database_=self.database)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError):
            pass


def load(
    root,
    uri: str,
    user: str,
    password: str,
    database: str = "neo4j",
    batch_size: int = 10_000,
    wipe: bool = False,
    on_rows: Callable[[str, int], None] | None = None,
    on_start: Callable[[dict[str, int]], None] | None = None,
    force_unlock: bool = False,
    verify: bool = True,
    workers: int = 2,
    payments: str = "nodes",
    recent: int = 0,
) -> LoadReport:
    """Load the output folder ``root`` into ``database``; see the module docstring for the rules.

    ``on_start`` receives the number of rows per node label and relationship set before loading
    starts; ``on_rows(name, n)`` is called after each committed batch (for progress bars). ``workers``
    sessions write batches at once (the server works on each in its own thread). ``payments`` and ``recent``
    choose the payment model (:data:`loaders.model.PAYMENT_MODELS`).
    """
    if batch_size < 1:
        raise UsageError("batch size must be at least 1")
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"workers must be between 1 and {MAX_WORKERS}")
    checked_payments(payments, recent)
    ds = OutputFolder(root, verify)
    ds.verify()  # every file, before the database is touched
    driver = connect(uri, user, password, database)
    started = time.perf_counter()
    lock = LoadLock(driver, database, uri)
    try:
        lock.claim(force_unlock)
        report = _load_locked(ds, driver, database, uri, batch_size, wipe, on_rows, on_start, workers, payments, recent,
                              lock.owner)
        if not lock.held():
            raise Superseded()
        _finish(driver, database, _dataset(ds, payments, recent))
    except Superseded:
        raise UsageError(f"another load took the lock of {database!r} on {uri} (--force-unlock) while this one ran; "
                         "the database is left to that load") from None
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
        raise UsageError(f"lost the connection to Neo4j at {uri}: {' '.join(str(exc).split())}; the database is marked "
                         "'loading': run the load again (with --force-unlock) once the server is back") from None
    except neo4j_errors.ConstraintError:
        raise UsageError(f"another load wrote the same nodes or batches into {database!r} on {uri} at the same time; "
                         "run the load again once it has finished") from None
    finally:
        lock.release()
        driver.close()
    report.seconds = time.perf_counter() - started
    return report


class Superseded(Exception):
    """Another load took over (``force_unlock``) while this one ran."""


def _finish(driver: Driver, database: str, dataset: str) -> None:
    """Mark the dataset complete, then drop the batch markers (a later load of it MERGEs relationships)."""
    driver.execute_query(f"MATCH (m:{META_LABEL} {{dataset: $dataset}}) SET m.status = $status "
                         "REMOVE m.batch_size, m.writer, m.batches", dataset=dataset, status=COMPLETE, database_=database)
    with driver.session(database=database) as session:
        session.run(f"MATCH (b:{BATCH_LABEL}) CALL {{ WITH b DELETE b }} IN TRANSACTIONS OF 10000 ROWS").consume()


def _dataset(ds: OutputFolder, payments: str, recent: int) -> str:
    """What the meta node records: the folder's fingerprint and, when not the default, the payment model."""
    return ds.fingerprint if payments == "nodes" else f"{ds.fingerprint}:{payments}:{recent}"


def _load_locked(ds: OutputFolder, driver: Driver, database: str, uri: str, batch_size: int, wipe: bool,
                 on_rows: Callable[[str, int], None] | None, on_start: Callable[[dict[str, int]], None] | None,
                 workers: int, payments: str, recent: int, owner: str) -> LoadReport:
    dataset = _dataset(ds, payments, recent)
    any_node, meta = _state(driver, database)
    ours = meta is not None and meta["dataset"] == dataset
    if any_node and not ours and not wipe:
        held = "a different graphgen dataset (or payment model)" if meta else "data that graphgen did not load"
        raise UsageError(f"database {database!r} on {uri} holds {held}; pass --wipe to delete it first")
    if wipe and any_node:
        wipe_database(driver, database)
        any_node = False
    # CREATE relationships into an empty database, or to resume a load that did with this batch size.
    resumable = ours and meta["status"] == LOADING and meta["batch_size"] == batch_size
    create = not any_node or resumable
    report = LoadReport(mode="merge" if any_node else "create", relationship_mode="create" if create else "merge")
    indexes = query_indexes(payments, recent)
    for statement in [*key_constraints(payments, recent),
                      f"CREATE CONSTRAINT graphgen_batch_key IF NOT EXISTS FOR (b:{BATCH_LABEL}) REQUIRE b.key IS UNIQUE",
                      # left by an earlier load of a wiped database: built again once the data is in
                      *([f"DROP INDEX {name} IF EXISTS" for name in indexes] if not any_node else [])]:
        driver.execute_query(statement, database_=database)
    driver.execute_query(f"MERGE (m:{META_LABEL} {{dataset: $dataset}}) "
                         "SET m.status = $status, m.source = $source, m.batch_size = $size",
                         dataset=dataset, status=LOADING, source=str(ds.root), size=batch_size if create else None,
                         database_=database)

    node_sets, rel_sets = graph_sets(payments, recent)
    groups = {", ".join(r.name for r in group): group for group in rel_groups(rel_sets)}
    sizes = {**{n.label: n.count(ds) for n in node_sets}, **{name: group[0].count(ds) for name, group in groups.items()}}
    if on_start is not None:
        on_start(sizes)

    def counted(name: str) -> Callable[[int], None] | None:
        return None if on_rows is None else (lambda n: on_rows(name, n))

    read = max(batch_size, READ_BATCH)
    with _Writer(driver, database, workers) as write:
        for node in node_sets:
            columns, tables = _peeked(node.batches(ds, read))
            write(node_query(node, columns, merge=any_node), _batches(tables, batch_size), counted(node.label))
            if node.fraud is not None:
                write(f"UNWIND $rows AS row MATCH (n:{node.label} {{{node.key}: row.id}}) SET n:{GROUND_TRUTH_LABEL}",
                      pa.table({"id": node.fraud(ds)}).to_batches(max_chunksize=batch_size))
            report.nodes[node.label] = sizes[node.label]
        # From here on this load is the one writing relationships: a load it took over stops at its next batch.
        driver.execute_query(f"MATCH (m:{META_LABEL} {{dataset: $dataset}}) SET m.writer = $owner",
                             dataset=dataset, owner=owner, database_=database)
        done = _committed_batches(driver, database) if create else set()
        rel_started = time.perf_counter()
        for name, group in groups.items():
            columns, tables = _peeked(group_batches(ds, group, read))
            guard = _BatchGuard(name, dataset, owner, done) if create else None
            write(rel_query(group, columns, create), _batches(tables, batch_size), counted(name), guard)
            for rel in group:
                report.relationships[rel.name] = sizes[name]
        report.relationship_seconds = time.perf_counter() - rel_started
    index_started = time.perf_counter()
    for statement in indexes.values():
        driver.execute_query(statement, database_=database)
    driver.execute_query("CALL db.awaitIndexes($timeout)", timeout=INDEX_WAIT_SECONDS, database_=database)
    report.index_seconds = time.perf_counter() - index_started
    return report


def _committed_batches(driver: Driver, database: str) -> set[str]:
    records, _, _ = driver.execute_query(f"MATCH (b:{BATCH_LABEL}) RETURN b.key AS key", database_=database)
    return {r["key"] for r in records}


@dataclass
class _BatchGuard:
    """The markers of one relationship group's CREATEd batches: which to skip, and the statement that
    records one in the batch's own transaction, if its load is still the one writing."""

    group: str
    dataset: str
    owner: str
    done: set[str]

    MARK = (f"MATCH (m:{META_LABEL} {{dataset: $dataset}}) SET m.batches = coalesce(m.batches, 0) + 1 "  # locks m
            f"WITH m WHERE m.writer = $owner CREATE (:{BATCH_LABEL} {{key: $key}}) RETURN count(*) AS marked")

    def key(self, index: int) -> str:
        return f"{self.group}#{index}"

    def mark(self, tx, index: int) -> None:
        marked = tx.run(self.MARK, dataset=self.dataset, owner=self.owner, key=self.key(index)).single()["marked"]
        if not marked:
            raise Superseded()


class _Writer:
    """Writes batches of one statement through ``workers`` sessions at once, each batch a managed write
    transaction: the driver retries transient errors, including the deadlocks two batches merging
    relationships on the same nodes can run into. Returns after every batch has committed."""

    def __init__(self, driver: Driver, database: str, workers: int):
        self._sessions: queue.Queue = queue.Queue()
        for _ in range(workers):
            self._sessions.put(driver.session(database=database))
        self._workers = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="graphgen-load")

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        while not self._sessions.empty():
            self._sessions.get().close()

    def _run(self, query: str, batch: pa.RecordBatch, guard: _BatchGuard | None, index: int) -> int:
        rows = batch.to_pylist()

        def work(tx) -> None:
            tx.run(query, rows=rows).consume()
            if guard is not None:
                guard.mark(tx, index)

        session = self._sessions.get()
        try:
            session.execute_write(work)
        finally:
            self._sessions.put(session)
        return len(rows)

    def __call__(self, query: str, batches: Iterator[pa.RecordBatch], on_batch: Callable[[int], None] | None = None,
                 guard: _BatchGuard | None = None) -> None:
        pending: set = set()

        def settle(when: str) -> None:
            nonlocal pending
            done, pending = wait(pending, return_when=when)
            for future in done:
                rows = future.result()  # the first failure stops the load
                if on_batch:
                    on_batch(rows)

        try:
            for index, batch in enumerate(batches):
                if guard is not None and guard.key(index) in guard.done:
                    if on_batch:
                        on_batch(batch.num_rows)
                    continue
                pending.add(self._pool.submit(self._run, query, batch, guard, index))
                if len(pending) >= 2 * self._workers:  # a few batches ahead, not the whole table in memory
                    settle(FIRST_COMPLETED)
            settle(ALL_COMPLETED)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
