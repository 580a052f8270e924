"""How a graphgen output folder appears in Neo4j; shared by the bulk-import bundle and the online loader.

What an investigator sees:

* ``(:User)``, ``(:Device)``, ``(:Account)``, ``(:IP)`` with the columns of the node tables;
* ``(:User)-[:USES_DEVICE {first_seen, last_seen}]->(:Device)``, ``(:User)-[:USES_IP {..}]->(:IP)``,
  ``(:User)-[:HAS_ACCOUNT {since}]->(:Account)``;
* ``(:User)-[:HAS_PHONE]->(:Phone {number})`` and ``(:User)-[:LIVES_AT]->(:Address {address})``: a number or an
  address several users give is one shared node;
* ``(:Account)-[:TRANSFERS_TO {first_ts, last_ts, n_txns, total_amount}]->(:Account)``: who pays whom;
* one ``(:Transaction {txn_id, ts, amount, channel, status})`` node per payment (``status`` "returned": it moved no money), with
  ``(:Account)-[:SENT]->(:Transaction)-[:RECEIVED_BY]->(:Account)`` to follow money through time and
  ``(:Transaction)-[:VIA_DEVICE]->(:Device)``, ``(:Transaction)-[:VIA_IP]->(:IP)`` for who moved it how.

With ``payments="aggregated"`` (:data:`PAYMENT_MODELS`) payments appear only as ``TRANSFERS_TO``: the entity
graph at a fraction of the size, for the queries that read no single payment; ``recent=N`` adds the last N
payments of each pair of accounts as ``(:Transaction)`` nodes, linked as above.

Events other than logins (identity changes, payee additions) are ``(:Event {event_id, ts, event_type})`` nodes:
``(:User)-[:PERFORMED]->(:Event)``, ``(:Event)-[:VIA_DEVICE]->(:Device)``, ``(:Event)-[:VIA_IP]->(:IP)`` and, for a
payee added, ``(:Event)-[:ADDS_PAYEE]->(:Account)``. Logins, the bulk of the events, show as the ``USES_DEVICE`` /
``USES_IP`` windows and stay in ``events.parquet``.

Every set is read batch by batch, so neither the bundle writer nor the online loader holds a whole table.

Ground truth, kept apart so that investigator queries never touch it: ``(:Ring {ring_id, typology,
active_from, active_to})`` nodes with ``(:User|Account|Device|IP)-[:MEMBER_OF {role}]->(:Ring)``, the extra
label ``GT_Fraud`` on every fraudulent node, and ``gt_``-prefixed properties (``gt_ring_id``, ``gt_role``,
``gt_confirmed_at``). Labels and relationship types come only from the constants below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphgen import schema, vocab
from graphgen.errors import UsageError
from graphgen.output import OutputFolder
from graphgen.rings.base import NODE_TYPES  # the node types ring members are recorded as

GROUND_TRUTH_LABEL = "GT_Fraud"
META_LABEL = "GraphgenMeta"
LOCK_LABEL = "GraphgenLock"  # held by a running online load (loaders.online.LoadLock)


Keep = Callable[[OutputFolder], np.ndarray]  # a boolean mask over a table's dense ids: the rows to keep


@dataclass(frozen=True)
class NodeSet:
    """One node label, read batch by batch from ``source`` (its ``columns``, the key first; all if None).

    ``truth`` is a label table with the same rows whose ``truth_columns`` (column, property) are appended as
    ground-truth properties; ``fraud`` gives the ids to label GT_Fraud; ``keep`` the rows to keep.
    """

    label: str
    key: str
    source: str
    columns: tuple[str, ...] | None = None
    truth: str | None = None
    truth_columns: tuple[tuple[str, str], ...] = ()
    fraud: Callable[[OutputFolder], pa.Array] | None = None
    keep: Keep | None = None

    def count(self, ds: OutputFolder) -> int:
        return ds.rows(self.source) if self.keep is None else int(self.keep(ds).sum())

    def batches(self, ds: OutputFolder, size: int) -> Iterator[pa.Table]:
        """The key column, then one column per property (ground truth last), ``size`` rows at a time at most."""
        parts = [(self.source, list(self.columns) if self.columns else None)]
        if self.truth is not None:
            parts.append((self.truth, [c for c, _ in self.truth_columns]))
        keep = None if self.keep is None else self.keep(ds)
        for table, *truth in ds.aligned_batches(parts, size):
            for column, name in self.truth_columns:
                table = table.append_column(name, truth[0].column(column))
            yield _kept(table, self.key, keep)


@dataclass(frozen=True)
class RelSet:
    """Relationships read from columns of one table: ``start_column`` -> ``end_column``.

    Sets that read the same rows (same ``source``, ``only`` and ``keep``) are written together by the online
    loader.
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
    keep: tuple[str, Keep] | None = None  # (id column, mask): rows of the source to keep

    def count(self, ds: OutputFolder) -> int:
        if self.keep is not None:
            return int(self.keep[1](ds).sum())
        if self.only is None:
            return ds.rows(self.source)
        column, value = self.only
        return sum(pc.sum(pc.equal(b.column(0), value)).as_py() or 0 for b in ds.batches(self.source, columns=[column]))

    def source_batches(self, ds: OutputFolder, size: int, columns: list[str]) -> Iterator[pa.Table]:
        """``columns`` of the source rows this set reads, ``size`` rows at a time at most."""
        read = list(dict.fromkeys([*columns, *(c for c, _ in filter(None, (self.only, self.keep)))]))
        keep = None if self.keep is None else self.keep[1](ds)
        for batch in ds.batches(self.source, size, read):
            table = pa.Table.from_batches([batch])
            if self.only is not None:
                table = table.filter(pc.equal(table.column(self.only[0]), self.only[1]))
            if keep is not None:
                table = _kept(table, self.keep[0], keep)
            yield table.select(columns)

    def batches(self, ds: OutputFolder, size: int) -> Iterator[pa.Table]:
        """Columns "start", "end", then one per property."""
        for table in self.source_batches(ds, size, [self.start_column, self.end_column, *self.properties]):
            yield table.rename_columns(["start", "end", *self.properties])


def _kept(table: pa.Table, column: str, keep: np.ndarray | None) -> pa.Table:
    return table if keep is None else table.filter(keep[table.column(column).to_numpy()])


def _fraud_ids(labels: str, key: str) -> Callable[[OutputFolder], pa.Array]:
    def ids(ds: OutputFolder) -> pa.Array:
        truth = ds.table(labels, columns=[key, "is_fraud"])
        return truth.filter(truth.column("is_fraud")).column(key).combine_chunks()

    return ids


def _member_ids(node_type: str) -> Callable[[OutputFolder], pa.Array]:
    def ids(ds: OutputFolder) -> pa.Array:
        members = ds.table(schema.LABELS["ring_member"].path)
        return pc.unique(members.filter(pc.equal(members.column("node_type"), node_type)).column("node_id"))

    return ids


_EVENTS = schema.EVENTS.path


def _event_types(*kinds: str) -> Keep:
    """Mask over event ids: the events of the given types."""
    def mask(ds: OutputFolder) -> np.ndarray:
        def compute() -> np.ndarray:
            kind = ds.table(_EVENTS, columns=["event_type"]).column("event_type")
            return pc.is_in(kind, value_set=pa.array(kinds)).to_numpy(zero_copy_only=False)

        return ds.derived(("event_types", kinds), compute)

    return mask


# Logins, the bulk of the events, stay in Parquet; one mask object per set so the online loader groups them.
_events_but_logins = _event_types(*(t for t in vocab.EVENT_TYPES if t != "login"))
_payees_added = _event_types("payee_added")


def _fraud_events(ds: OutputFolder) -> pa.Array:
    """Ids of the fraudulent events that are nodes (not logins)."""
    ids = _fraud_ids(schema.LABELS["event"].path, "event_id")(ds)
    return ids.filter(pa.array(_events_but_logins(ds)[ids.to_numpy()]))


_RING_TRUTH = (("ring_id", "gt_ring_id"), ("role", "gt_role"), ("fraud_confirmed_at", "gt_fraud_confirmed_at"))
NODE_SETS: tuple[NodeSet, ...] = (
    NodeSet("User", "user_id", schema.NODES["user"].path, truth=schema.LABELS["user"].path, truth_columns=_RING_TRUTH,
            fraud=_fraud_ids(schema.LABELS["user"].path, "user_id")),
    NodeSet("Device", "device_id", schema.NODES["device"].path, fraud=_member_ids("device")),
    NodeSet("Account", "account_id", schema.NODES["account"].path, truth=schema.LABELS["account"].path,
            truth_columns=_RING_TRUTH, fraud=_fraud_ids(schema.LABELS["account"].path, "account_id")),
    NodeSet("IP", "ip_id", schema.NODES["ip"].path, fraud=_member_ids("ip")),
    NodeSet("Phone", "phone_id", schema.NODES["phone"].path),
    NodeSet("Address", "address_id", schema.NODES["address"].path),
    NodeSet("Transaction", "txn_id", schema.TRANSACTIONS.path, ("txn_id", "ts", "amount", "channel", "status"),
            schema.LABELS["transaction"].path, (("ring_id", "gt_ring_id"), ("fraud_confirmed_at", "gt_confirmed_at")),
            _fraud_ids(schema.LABELS["transaction"].path, "txn_id")),
    NodeSet("Event", "event_id", _EVENTS, ("event_id", "ts", "event_type"), schema.LABELS["event"].path,
            (("ring_id", "gt_ring_id"),), _fraud_events, keep=_events_but_logins),
    NodeSet("Ring", "ring_id", schema.LABELS["ring"].path),
)
NODE_SET = {n.label: n for n in NODE_SETS}


_LABEL_OF = {name: spec.label for name, spec in schema.NODES.items()}
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
    RelSet("performed", "PERFORMED", "User", "Event", _EVENTS, "user_id", "event_id", keep=("event_id", _events_but_logins)),
    RelSet("event_via_device", "VIA_DEVICE", "Event", "Device", _EVENTS, "event_id", "device_id",
           keep=("event_id", _events_but_logins)),
    RelSet("event_via_ip", "VIA_IP", "Event", "IP", _EVENTS, "event_id", "ip_id", keep=("event_id", _events_but_logins)),
    RelSet("adds_payee", "ADDS_PAYEE", "Event", "Account", _EVENTS, "event_id", "payee_account_id",
           keep=("event_id", _payees_added)),
    *(RelSet(f"member_of_{t}", "MEMBER_OF", _LABEL_OF[t], "Ring", _MEMBERS, "node_id", "ring_id", ("role",), ("node_type", t))
      for t in NODE_TYPES),
)


# How payments appear: one (:Transaction) node per payment, linked by SENT / RECEIVED_BY / VIA_DEVICE / VIA_IP
# (follow money through time; four relationships per payment), or only the aggregated TRANSFERS_TO between
# accounts (the entity graph, a fraction of the size), optionally with the last few payments of each pair as
# :Transaction nodes (``recent``), for the queries that read single recent payments.
PAYMENT_MODELS = ("nodes", "aggregated")


def checked_payments(payments: str, recent: int = 0) -> None:
    """One clear line (UsageError) for a payment model that does not exist."""
    if payments not in PAYMENT_MODELS:
        raise UsageError(f"unknown payment model {payments!r}; choose one of: {', '.join(PAYMENT_MODELS)}")
    if recent < 0:
        raise UsageError("the number of recent payments per pair cannot be negative")
    if recent and payments != "aggregated":
        raise UsageError("recent payments apply to --payments aggregated (with nodes every payment is there already)")


def recent_payments(n: int) -> Keep:
    """The last ``n`` payments (by time, then id) between each pair of accounts, as a mask over txn ids."""
    def mask(ds: OutputFolder) -> np.ndarray:
        def compute() -> np.ndarray:
            txns = ds.table(_TXNS, columns=["txn_id", "src_account_id", "dst_account_id", "ts"])
            ids, src, dst = (txns.column(c).to_numpy() for c in ("txn_id", "src_account_id", "dst_account_id"))
            ts = txns.column("ts").cast(pa.int64()).to_numpy()
            order = np.lexsort((ids, ts, dst, src))
            pair = np.flatnonzero(np.diff(src[order]) | np.diff(dst[order]))
            ends = np.append(pair, len(order) - 1)  # the last payment of each pair, in sorted positions
            from_end = np.repeat(ends, np.diff(np.concatenate([[-1], ends]))) - np.arange(len(order))
            keep = np.zeros(len(ids), bool)
            keep[ids[order[from_end < n]]] = True
            return keep

        return ds.derived(("recent_payments", n), compute)

    return mask


def graph_sets(payments: str = "nodes", recent: int = 0) -> tuple[tuple[NodeSet, ...], tuple[RelSet, ...]]:
    """The node and relationship sets of a payment model (see :data:`PAYMENT_MODELS`)."""
    checked_payments(payments, recent)
    if payments == "nodes":
        return NODE_SETS, REL_SETS
    is_payment = (lambda labels: "Transaction" in labels)
    if not recent:
        return (tuple(n for n in NODE_SETS if n.label != "Transaction"),
                tuple(r for r in REL_SETS if not is_payment((r.start, r.end))))
    keep = recent_payments(recent)
    return (tuple(replace(n, keep=keep) if n.label == "Transaction" else n for n in NODE_SETS),
            tuple(replace(r, keep=("txn_id", keep)) if is_payment((r.start, r.end)) else r for r in REL_SETS))


def key_constraints(payments: str = "nodes", recent: int = 0) -> list[str]:
    """One uniqueness constraint per node key: loads look nodes up by key, so these come before any data."""
    nodes, _ = graph_sets(payments, recent)
    return [f"CREATE CONSTRAINT {n.label.lower()}_{n.key} IF NOT EXISTS FOR (n:{n.label}) REQUIRE n.{n.key} IS UNIQUE"
            for n in nodes]


_QUERY_INDEXES = (  # (name, the node label it needs or None, what it indexes); the shipped queries start from these
    ("transaction_ts", "Transaction", "FOR (t:Transaction) ON (t.ts)"),
    ("transaction_amount", "Transaction", "FOR (t:Transaction) ON (t.amount)"),
    ("event_type_ts", None, "FOR (e:Event) ON (e.event_type, e.ts)"),
    ("transfers_first_ts", None, "FOR ()-[r:TRANSFERS_TO]-() ON (r.first_ts)"),
    ("uses_device_first_seen", None, "FOR ()-[r:USES_DEVICE]-() ON (r.first_seen)"),
    ("uses_ip_first_seen", None, "FOR ()-[r:USES_IP]-() ON (r.first_seen)"),
    ("user_created_at", None, "FOR (u:User) ON (u.created_at)"),
)


def query_indexes(payments: str = "nodes", recent: int = 0) -> dict[str, str]:
    """Name -> ``CREATE INDEX`` statement of each index the shipped queries use; an online load builds them
    once its data is in (cheaper than keeping them up to date row by row)."""
    nodes, _ = graph_sets(payments, recent)
    labels = {n.label for n in nodes}
    return {name: f"CREATE INDEX {name} IF NOT EXISTS {target}" for name, label, target in _QUERY_INDEXES
            if label is None or label in labels}


def schema_statements(payments: str = "nodes", recent: int = 0) -> list[str]:
    """Constraints and indexes to apply to the database (after a bulk import, before an online load)."""
    return key_constraints(payments, recent) + list(query_indexes(payments, recent).values())
