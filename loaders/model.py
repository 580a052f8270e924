"""How a graphgen output folder appears in Neo4j; shared by the bulk-import bundle and the online loader.

What an investigator sees:

* ``(:User)``, ``(:Device)``, ``(:Account)``, ``(:IP)`` with the columns of the node tables;
* ``(:User)-[:USES_DEVICE {first_seen, last_seen}]->(:Device)``, ``(:User)-[:USES_IP {..}]->(:IP)``,
  ``(:User)-[:HAS_ACCOUNT {since}]->(:Account)``;
* ``(:Account)-[:TRANSFERS_TO {first_ts, last_ts, n_txns, total_amount}]->(:Account)``: who pays whom;
* one ``(:Transaction {txn_id, ts, amount, channel})`` node per payment, with
  ``(:Account)-[:SENT]->(:Transaction)-[:RECEIVED_BY]->(:Account)`` to follow money through time and
  ``(:Transaction)-[:VIA_DEVICE]->(:Device)``, ``(:Transaction)-[:VIA_IP]->(:IP)`` for who moved it how.

With ``payments="aggregated"`` (:data:`PAYMENT_MODELS`; the bulk-import bundle) payments appear only as
``TRANSFERS_TO``: the entity graph at a fraction of the size, for the queries that read no single payment.

Ground truth, kept apart so that investigator queries never touch it: ``(:Ring {ring_id, typology,
active_from, active_to})`` nodes with ``(:User|Account|Device|IP)-[:MEMBER_OF {role}]->(:Ring)``, the extra
label ``GT_Fraud`` on every fraudulent node, and ``gt_``-prefixed properties (``gt_ring_id``, ``gt_role``,
``gt_confirmed_at``). Labels and relationship types come only from the constants below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from graphgen import schema
from graphgen.output import OutputFolder

GROUND_TRUTH_LABEL = "GT_Fraud"
META_LABEL = "GraphgenMeta"
LOCK_LABEL = "GraphgenLock"  # held by a running online load (loaders.online.LoadLock)


@dataclass(frozen=True)
class NodeSet:
    label: str
    key: str
    rows: Callable[[OutputFolder], pa.Table]  # the key column first, then one column per property
    fraud: Callable[[OutputFolder], pa.Array] | None = None  # ids to label GT_Fraud


@dataclass(frozen=True)
class RelSet:
    """Relationships read from columns of one table: ``start_column`` -> ``end_column``.

    Sets that read the same rows (same ``source`` and ``only``) are written together by the online loader.
    """

    name: str  # unique name of this set (file stem in the bundle)
    rel_type: str
    start: str  # label of the start node
    end: str  # label of the end node
    source: str  # table path in the output folder
    start_column: str
    end_column: str
    properties: tuple[str, ...] = ()
    only: tuple[str, str] | None = None  # (column, value): rows of the source to keep

    def source_rows(self, ds: OutputFolder) -> pa.Table:
        """The rows of the source table this set reads (all columns)."""
        table = ds.table(self.source)
        if self.only is not None:
            table = table.filter(pc.equal(table.column(self.only[0]), self.only[1]))
        return table

    def rows(self, ds: OutputFolder) -> pa.Table:
        """Columns "start", "end", then one per property."""
        table = self.source_rows(ds)
        return pa.table({"start": table.column(self.start_column), "end": table.column(self.end_column),
                         **{p: table.column(p) for p in self.properties}})


def _with_ground_truth(features: str, labels: str, key: str, columns: tuple[str, ...]) -> Callable[[OutputFolder], pa.Table]:
    def rows(ds: OutputFolder) -> pa.Table:
        table = ds.table(features)
        truth = ds.table(labels)
        assert pc.all(pc.equal(table.column(key), truth.column(key))).as_py()  # both sorted by id
        for name in columns:
            table = table.append_column(f"gt_{name}", truth.column(name))
        return table

    return rows


def _fraud_ids(labels: str, key: str) -> Callable[[OutputFolder], pa.Array]:
    def ids(ds: OutputFolder) -> pa.Array:
        truth = ds.table(labels)
        return truth.filter(truth.column("is_fraud")).column(key).combine_chunks()

    return ids


def _member_ids(node_type: str) -> Callable[[OutputFolder], pa.Array]:
    def ids(ds: OutputFolder) -> pa.Array:
        members = ds.table(schema.LABELS["ring_member"].path)
        return pc.unique(members.filter(pc.equal(members.column("node_type"), node_type)).column("node_id"))

    return ids


def _plain(path: str) -> Callable[[OutputFolder], pa.Table]:
    return lambda ds: ds.table(path)


def _transactions(ds: OutputFolder) -> pa.Table:
    txns = ds.table(schema.TRANSACTIONS.path).select(["txn_id", "ts", "amount", "channel"])
    truth = ds.table(schema.LABELS["transaction"].path)
    return txns.append_column("gt_ring_id", truth.column("ring_id")).append_column(
        "gt_confirmed_at", truth.column("fraud_confirmed_at"))


NODE_SETS: tuple[NodeSet, ...] = (
    NodeSet("User", "user_id", _with_ground_truth(schema.NODES["user"].path, schema.LABELS["user"].path, "user_id",
                                                  ("ring_id", "role", "fraud_confirmed_at")),
            _fraud_ids(schema.LABELS["user"].path, "user_id")),
    NodeSet("Device", "device_id", _plain(schema.NODES["device"].path), _member_ids("device")),
    NodeSet("Account", "account_id", _with_ground_truth(schema.NODES["account"].path, schema.LABELS["account"].path,
                                                        "account_id", ("ring_id", "role", "fraud_confirmed_at")),
            _fraud_ids(schema.LABELS["account"].path, "account_id")),
    NodeSet("IP", "ip_id", _plain(schema.NODES["ip"].path), _member_ids("ip")),
    NodeSet("Transaction", "txn_id", _transactions, _fraud_ids(schema.LABELS["transaction"].path, "txn_id")),
    NodeSet("Ring", "ring_id", _plain(schema.LABELS["ring"].path)),
)
NODE_SET = {n.label: n for n in NODE_SETS}


_LABEL_OF = {"user": "User", "device": "Device", "account": "Account", "ip": "IP"}
_TXNS = schema.TRANSACTIONS.path
_MEMBERS = schema.LABELS["ring_member"].path
REL_SETS: tuple[RelSet, ...] = (
    *(RelSet(name, spec.rel_type, _LABEL_OF[spec.src_node], _LABEL_OF[spec.dst_node], spec.path, spec.src_column,
             spec.dst_column, tuple(c for c in spec.column_names if c not in (spec.src_column, spec.dst_column)))
      for name, spec in schema.EDGES.items()),
    RelSet("sent", "SENT", "Account", "Transaction", _TXNS, "src_account_id", "txn_id"),
    RelSet("received_by", "RECEIVED_BY", "Transaction", "Account", _TXNS, "txn_id", "dst_account_id"),
    RelSet("via_device", "VIA_DEVICE", "Transaction", "Device", _TXNS, "txn_id", "device_id"),
    RelSet("via_ip", "VIA_IP", "Transaction", "IP", _TXNS, "txn_id", "ip_id"),
    *(RelSet(f"member_of_{t}", "MEMBER_OF", label, "Ring", _MEMBERS, "node_id", "ring_id", ("role",), ("node_type", t))
      for t, label in _LABEL_OF.items()),
)


# How payments appear: one (:Transaction) node per payment, linked by SENT / RECEIVED_BY / VIA_DEVICE / VIA_IP
# (follow money through time; four relationships per payment), or only the aggregated TRANSFERS_TO between
# accounts (the entity graph, a fraction of the size; queries that read single payments find nothing).
PAYMENT_MODELS = ("nodes", "aggregated")


def graph_sets(payments: str = "nodes") -> tuple[tuple[NodeSet, ...], tuple[RelSet, ...]]:
    """The node and relationship sets of a payment model (see :data:`PAYMENT_MODELS`)."""
    if payments not in PAYMENT_MODELS:
        raise ValueError(f"unknown payment model {payments!r}; choose one of: {', '.join(PAYMENT_MODELS)}")
    if payments == "nodes":
        return NODE_SETS, REL_SETS
    return (tuple(n for n in NODE_SETS if n.label != "Transaction"),
            tuple(r for r in REL_SETS if "Transaction" not in (r.start, r.end)))


def schema_statements(payments: str = "nodes") -> list[str]:
    """Constraints and indexes to apply to the database (after a bulk import, before an online load)."""
    nodes, _ = graph_sets(payments)
    statements = [f"CREATE CONSTRAINT {n.label.lower()}_{n.key} IF NOT EXISTS FOR (n:{n.label}) REQUIRE n.{n.key} IS UNIQUE"
                  for n in nodes]
    if payments == "nodes":
        statements += ["CREATE INDEX transaction_ts IF NOT EXISTS FOR (t:Transaction) ON (t.ts)",
                       "CREATE INDEX transaction_amount IF NOT EXISTS FOR (t:Transaction) ON (t.amount)"]
    statements += [
        "CREATE INDEX transfers_first_ts IF NOT EXISTS FOR ()-[r:TRANSFERS_TO]-() ON (r.first_ts)",
        "CREATE INDEX uses_device_first_seen IF NOT EXISTS FOR ()-[r:USES_DEVICE]-() ON (r.first_seen)",
        "CREATE INDEX uses_ip_first_seen IF NOT EXISTS FOR ()-[r:USES_IP]-() ON (r.first_seen)",
        "CREATE INDEX user_created_at IF NOT EXISTS FOR (u:User) ON (u.created_at)",
    ]
    return statements
