"""``EntityGraph``: the one container of typed, columnar node and edge tables.

It flows through every stage (population -> rings -> transactions -> labels) and is what the writers
and every exporter read. What it holds after each stage is declared in :data:`graphgen.schema.SHAPES`
(working tables while the graph is grown, then the published tables) and checked by
:meth:`EntityGraph.validate`. :func:`graphgen.labels.publish` turns it into the published form: typed
columns, shuffled ids, private columns moved out into the label tables or dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphgen import schema

if TYPE_CHECKING:
    import igraph
    import networkx

    from graphgen.config import GraphgenConfig


def col(table: pa.Table, name: str) -> np.ndarray:
    """A column as a numpy array; timestamps come back as int64 milliseconds."""
    column = table.column(name)
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.int64())
    return column.to_numpy()


def append_rows(table: pa.Table | None, **columns: np.ndarray) -> pa.Table:
    """Append rows (given column-wise as numpy arrays) to a working table, creating it if needed."""
    new = pa.table(columns)
    if table is None:
        return new
    return pa.concat_tables([table, new.select(table.column_names).cast(table.schema)])


def with_columns(table: pa.Table, **columns: np.ndarray) -> pa.Table:
    """Return ``table`` with the given columns added or replaced."""
    for name, values in columns.items():
        array = pa.array(values)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, array)
        else:
            table = table.append_column(name, array)
    return table


@dataclass
class EntityGraph:
    """Users, devices, accounts and IPs, the edges between them, the transactions and the labels.

    ``nodes`` and ``edges`` are keyed by the names in :data:`graphgen.schema.NODES` and
    :data:`graphgen.schema.EDGES`; ``labels`` by those in :data:`graphgen.schema.LABELS`.
    """

    nodes: dict[str, pa.Table] = field(default_factory=dict)
    edges: dict[str, pa.Table] = field(default_factory=dict)
    transactions: pa.Table | None = None
    events: pa.Table | None = None  # logins, identity changes and payee additions
    labels: dict[str, pa.Table] = field(default_factory=dict)
    config: GraphgenConfig | None = None  # the config it was generated from
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def num_nodes(self, node_type: str) -> int:
        return self.nodes[node_type].num_rows

    def tables(self) -> dict[str, pa.Table]:
        """Every published table keyed by its path relative to the output folder."""
        out: dict[str, pa.Table] = {}
        for name, spec in schema.NODES.items():
            out[spec.path] = self.nodes[name]
        for name, spec in schema.EDGES.items():
            out[spec.path] = self.edges[name]
        out[schema.TRANSACTIONS.path] = self.transactions
        out[schema.EVENTS.path] = self.events
        for name, spec in schema.LABELS.items():
            out[spec.path] = self.labels[name]
        return out

    def validate(self, shape: str | schema.Shape = "labels") -> EntityGraph:
        """Check the container against a declared shape (:data:`graphgen.schema.SHAPES`); returns ``self``.

        Checks that every table is there with exactly the declared columns and types, that every id column
        points at an existing node (negative values mean "none" in working tables), and for the published
        shape that node ids are dense and every table is sorted by its unique key. Raises ``ValueError``
        naming the first table that breaks its declaration.
        """
        shape = schema.SHAPES[shape] if isinstance(shape, str) else shape
        tables = {**{f"nodes/{k}": (s, self.nodes.get(k)) for k, s in shape.nodes.items()},
                  **{f"edges/{k}": (s, self.edges.get(k)) for k, s in shape.edges.items()},
                  "transactions": (shape.transactions, self.transactions),
                  "events": (shape.events, self.events),
                  **{f"labels/{k}": (s, self.labels.get(k)) for k, s in shape.labels.items()}}
        sizes = {t: self.nodes[t].num_rows for t in shape.nodes if t in self.nodes}
        for where, (spec, table) in tables.items():
            if table is None:
                raise ValueError(f"{shape.name}: {where} is missing")
            got = [(f.name, f.type) for f in table.schema]
            if got != list(spec.columns):
                raise ValueError(f"{shape.name}: {where} has columns {got}, declared {list(spec.columns)}")
            for column, node_type in spec.references:
                values = table.column(column)
                low, high = pc.min(values).as_py(), pc.max(values).as_py()
                if high is not None and (high >= sizes[node_type] or (shape.published and low < 0)):
                    raise ValueError(f"{shape.name}: {where}.{column} points past the {sizes[node_type]} {node_type} nodes")
            if shape.published and spec.sort_key:
                _check_sorted_unique(where, table, spec)
        if shape.published:
            for name, spec in shape.nodes.items():
                ids = col(self.nodes[name], spec.id_column)  # type: ignore[attr-defined]
                if not np.array_equal(ids, np.arange(len(ids))):
                    raise ValueError(f"{shape.name}: nodes/{name} ids are not dense")
        return self

    def to_networkx(self, transactions: bool = False) -> networkx.MultiDiGraph:
        """A ``networkx.MultiDiGraph`` with nodes keyed ``(node_type, id)``.

        Node attributes are ``type`` (the node type, as in :meth:`to_igraph` and the ``nodes`` keys), ``label``
        (its Neo4j label) and the node table's columns; edges carry ``type`` (the relationship type)
        and their columns. With ``transactions=True`` every transaction is added as a ``TRANSACTION``
        edge between its accounts. Meant for analysis of small graphs: it builds Python objects.
        """
        import networkx as nx

        g = nx.MultiDiGraph()
        for name, spec in schema.NODES.items():
            rows = self.nodes[name].to_pylist()
            g.add_nodes_from(((name, r[spec.id_column]), {"type": name, "label": spec.label, **r}) for r in rows)
        edge_tables = [(spec, self.edges[name]) for name, spec in schema.EDGES.items()]
        for spec, table in edge_tables:
            g.add_edges_from(
                ((spec.src_node, r[spec.src_column]), (spec.dst_node, r[spec.dst_column]), {"type": spec.rel_type, **r})
                for r in table.to_pylist()
            )
        if transactions:
            g.add_edges_from(
                (("account", r["src_account_id"]), ("account", r["dst_account_id"]), {"type": "TRANSACTION", **r})
                for r in self.transactions.to_pylist()
            )
        return g

    def to_igraph(self) -> igraph.Graph:
        """An ``igraph.Graph`` (directed) over all nodes, for graph algorithms at scale.

        Vertices are ordered by node type (user, device, account, ip) then id, so vertex
        ``offsets[t] + id`` is node ``id`` of type ``t``; vertex attributes ``type`` and ``id`` say which.
        Edges carry ``type`` (the relationship type).
        """
        import igraph as ig

        offsets = self.vertex_offsets()
        n = sum(self.num_nodes(t) for t in schema.NODES)
        pairs, types = [], []
        for name, spec in schema.EDGES.items():
            table = self.edges[name]
            src = col(table, spec.src_column) + offsets[spec.src_node]
            dst = col(table, spec.dst_column) + offsets[spec.dst_node]
            pairs.append(np.column_stack([src, dst]))
            types.extend([spec.rel_type] * table.num_rows)
        g = ig.Graph(n=n, edges=np.concatenate(pairs), directed=True)
        g.vs["type"] = np.repeat(list(schema.NODES), [self.num_nodes(t) for t in schema.NODES]).tolist()
        g.vs["id"] = np.concatenate([np.arange(self.num_nodes(t)) for t in schema.NODES]).tolist()
        g.es["type"] = types
        return g

    def vertex_offsets(self) -> dict[str, int]:
        """Offset of each node type in the single vertex numbering used by :meth:`to_igraph`."""
        sizes = [self.num_nodes(t) for t in schema.NODES]
        return dict(zip(schema.NODES, np.concatenate([[0], np.cumsum(sizes)[:-1]]).tolist()))


def _check_sorted_unique(where: str, table: pa.Table, spec: schema.TableSpec) -> None:
    """Rows strictly increasing by ``spec.sort_key`` (sorted, and the key unique)."""
    keys = [col(table, c) for c in spec.sort_key if not pa.types.is_string(table.schema.field(c).type)]
    if table.num_rows < 2 or len(keys) != len(spec.sort_key):
        return  # keys with a string column (ring_members' node type) are not checked here
    order = np.lexsort(keys[::-1])
    if not np.array_equal(order, np.arange(table.num_rows)):
        raise ValueError(f"{where} is not sorted by {spec.sort_key}")
    same = np.ones(table.num_rows - 1, bool)
    for k in keys:
        same &= k[1:] == k[:-1]
    if same.any():
        raise ValueError(f"{where} repeats a key {spec.sort_key}")
