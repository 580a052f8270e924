"""Load an output folder into a running Neo4j over Bolt with the official driver.

Constraints first, then nodes, then relationships, each in ``UNWIND $rows`` batches inside managed write
transactions (the driver retries transient errors). A ``(:GraphgenMeta)`` node records which dataset the
database holds and whether loading finished:

* into an empty database, rows are CREATEd (fast);
* into a database holding the same dataset (a finished load, or one killed half-way), rows are MERGEd on
  their keys, so loading again gives the same graph with exact counts;
* into anything else it refuses, unless ``wipe`` (delete everything first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo4j_errors

from graphgen.errors import UsageError
from loaders.model import GROUND_TRUTH_LABEL, META_LABEL, NODE_SET, NODE_SETS, REL_SETS, Dataset, NodeSet, RelSet, schema_statements

LOADING, COMPLETE = "loading", "complete"


@dataclass
class LoadReport:
    mode: str  # "create" into an empty database, "merge" over an earlier load of the same dataset
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    relationship_seconds: float = 0.0

    @property
    def relationships_per_second(self) -> float:
        return sum(self.relationships.values()) / max(self.relationship_seconds, 1e-9)


def connect(uri: str, user: str, password: str, database: str) -> Driver:
    """A verified driver; unreachable servers, bad credentials and unknown databases become UsageError."""
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


def _batches(table: pa.Table, size: int) -> Iterator[list[dict]]:
    """Rows as dicts; timestamps go as epoch milliseconds (Cypher turns them into datetimes)."""
    plain = pa.table({name: column.cast(pa.int64()) if pa.types.is_timestamp(column.type) else column
                      for name, column in zip(table.column_names, table.columns)})
    for batch in plain.to_batches(max_chunksize=size):
        yield batch.to_pylist()


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


def rel_groups() -> list[list[RelSet]]:
    """Relationship sets that read the same rows, in model order: each group is one statement per batch."""
    groups: dict[tuple, list[RelSet]] = {}
    for rel in REL_SETS:
        groups.setdefault((rel.source, rel.only), []).append(rel)
    return list(groups.values())


def group_rows(ds: Dataset, group: list[RelSet]) -> pa.Table:
    """The source rows of a group, with the columns its statement reads."""
    columns = dict.fromkeys(c for rel in group for c in (rel.start_column, rel.end_column, *rel.properties))
    return group[0].source_rows(ds).select(list(columns))


def rel_query(group: list[RelSet], schema: pa.Schema, merge: bool) -> str:
    """One statement creating every relationship of a group for each row: each end node is looked up once."""
    lines, nodes = ["UNWIND $rows AS row"], {}
    for rel in group:
        for label, column in ((rel.start, rel.start_column), (rel.end, rel.end_column)):
            if (label, column) not in nodes:
                nodes[label, column] = f"n{len(nodes)}"
                lines.append(f"MATCH ({nodes[label, column]}:{label} {{{NODE_SET[label].key}: row.{column}}})")
    for i, rel in enumerate(group):
        write = "MERGE" if merge else "CREATE"
        lines.append(f"{write} ({nodes[rel.start, rel.start_column]})-[r{i}:{rel.rel_type}]->({nodes[rel.end, rel.end_column]})")
        if rel.properties:
            lines.append(f"SET r{i} += {_properties(schema, list(rel.properties))}")
    return " ".join(lines)


def _state(driver: Driver, database: str) -> tuple[bool, dict | None]:
    """Whether the database holds any node, and the graphgen meta node if there is one."""
    records, _, _ = driver.execute_query(
        f"OPTIONAL MATCH (m:{META_LABEL}) WITH m LIMIT 1 "
        "RETURN m {.dataset, .status} AS meta, EXISTS { MATCH (n) } AS any_node", database_=database)
    return records[0]["any_node"], records[0]["meta"]


def wipe_database(driver: Driver, database: str) -> None:
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


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
) -> LoadReport:
    """Load the output folder ``root`` into ``database``; see the module docstring for the rules.

    ``on_start`` receives the number of rows per node label and relationship set before loading
    starts; ``on_rows(name, n)`` is called after each committed batch (for progress bars).
    """
    if batch_size < 1:
        raise UsageError("batch size must be at least 1")
    ds = Dataset(root)
    driver = connect(uri, user, password, database)
    started = time.perf_counter()
    try:
        any_node, meta = _state(driver, database)
        ours = meta is not None and meta["dataset"] == ds.fingerprint
        if any_node and not ours and not wipe:
            held = "a different graphgen dataset" if meta else "data that graphgen did not load"
            raise UsageError(f"database {database!r} on {uri} holds {held}; pass --wipe to delete it first")
        if wipe and any_node:
            wipe_database(driver, database)
            any_node = False
        report = LoadReport(mode="merge" if any_node else "create")
        merge = any_node
        for statement in schema_statements():
            driver.execute_query(statement, database_=database)
        driver.execute_query(f"MERGE (m:{META_LABEL} {{dataset: $dataset}}) SET m.status = $status, m.source = $source",
                             dataset=ds.fingerprint, status=LOADING, source=str(ds.root), database_=database)

        node_tables = {n.label: n.rows(ds) for n in NODE_SETS}
        groups = {", ".join(r.name for r in group): (group, group_rows(ds, group)) for group in rel_groups()}
        if on_start is not None:
            on_start({**{k: t.num_rows for k, t in node_tables.items()}, **{k: t.num_rows for k, (_, t) in groups.items()}})
        with driver.session(database=database) as session:
            def write(query: str, rows: list) -> None:
                session.execute_write(lambda tx: tx.run(query, rows=rows).consume())

            for node in NODE_SETS:
                table = node_tables.pop(node.label)
                query = node_query(node, table.schema, merge)
                for rows in _batches(table, batch_size):
                    write(query, rows)
                    if on_rows:
                        on_rows(node.label, len(rows))
                if node.fraud is not None:
                    mark = f"UNWIND $rows AS id MATCH (n:{node.label} {{{node.key}: id}}) SET n:{GROUND_TRUTH_LABEL}"
                    ids = node.fraud(ds).to_pylist()
                    for start in range(0, len(ids), batch_size):
                        write(mark, ids[start:start + batch_size])
                report.nodes[node.label] = table.num_rows
            rel_started = time.perf_counter()
            for name, (group, table) in groups.items():
                query = rel_query(group, table.schema, merge)
                for rows in _batches(table, batch_size):
                    write(query, rows)
                    if on_rows:
                        on_rows(name, len(rows))
                for rel in group:
                    report.relationships[rel.name] = table.num_rows
            report.relationship_seconds = time.perf_counter() - rel_started
        driver.execute_query(f"MATCH (m:{META_LABEL} {{dataset: $dataset}}) SET m.status = $status",
                             dataset=ds.fingerprint, status=COMPLETE, database_=database)
    except neo4j_errors.ServiceUnavailable as exc:
        raise UsageError(f"lost the connection to Neo4j at {uri}: {exc}") from None
    finally:
        driver.close()
    report.seconds = time.perf_counter() - started
    return report
