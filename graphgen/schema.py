"""The data model: every table graphgen writes, and the working tables the generator stages pass on.

The published tables are the contract between the generator and everything that reads its output (the
Neo4j bundle and loader, the tabular and PyG exports). Node ids are dense: after publishing, row ``i`` of a
node table has id ``i``; ids are a random permutation of generation order, so they carry no information
about fraud.

While the graph is grown (:data:`SHAPES`), node ids are row numbers in generation order, times are int64
milliseconds, categorical columns are small integer codes into :mod:`graphgen.vocab`, and columns starting
with ``_`` are private to the generator. :meth:`graphgen.graph.EntityGraph.validate` checks a container
against the shape a stage promises.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """One table: where it is written (published tables) and which typed columns it has, in order.

    ``references`` names the columns holding ids of other nodes, as ``(column, node type)``; a
    negative value means "none" in working tables.
    """

    name: str
    path: str
    columns: tuple[tuple[str, pa.DataType], ...]
    sort_key: tuple[str, ...]
    references: tuple[tuple[str, str], ...] = ()

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(n, t, nullable=True) for n, t in self.columns])

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.columns)


@dataclass(frozen=True, kw_only=True)
class NodeSpec(TableSpec):
    label: str  # Neo4j label, also the id space in the bulk import
    id_column: str


@dataclass(frozen=True, kw_only=True)
class EdgeSpec(TableSpec):
    rel_type: str  # Neo4j relationship type
    src_node: str
    src_column: str
    dst_node: str
    dst_column: str

    def __post_init__(self) -> None:
        if not self.references:
            object.__setattr__(self, "references", ((self.src_column, self.src_node), (self.dst_column, self.dst_node)))


NODES: dict[str, NodeSpec] = {
    "user": NodeSpec(
        "user", "nodes/users.parquet",
        (("user_id", pa.int64()), ("name", pa.string()), ("email", pa.string()), ("phone", pa.string()),
         ("address", pa.string()), ("country", pa.string()), ("segment", pa.string()), ("created_at", TIMESTAMP)),
        ("user_id",), label="User", id_column="user_id"),
    "device": NodeSpec(
        "device", "nodes/devices.parquet",
        (("device_id", pa.int64()), ("fingerprint", pa.string()), ("device_type", pa.string()),
         ("os", pa.string()), ("os_version", pa.string()), ("model", pa.string()), ("user_agent", pa.string()),
         ("first_seen", TIMESTAMP)),
        ("device_id",), label="Device", id_column="device_id"),
    "account": NodeSpec(
        "account", "nodes/accounts.parquet",
        (("account_id", pa.int64()), ("account_number", pa.string()), ("account_type", pa.string()),
         ("opened_at", TIMESTAMP), ("balance", pa.float64()), ("credit_limit", pa.float64())),
        ("account_id",), label="Account", id_column="account_id"),
    "ip": NodeSpec(
        "ip", "nodes/ips.parquet",
        (("ip_id", pa.int64()), ("address", pa.string()), ("is_vpn", pa.bool_()), ("is_hosting", pa.bool_()),
         ("connection_type", pa.string()), ("country", pa.string())),
        ("ip_id",), label="IP", id_column="ip_id"),
    # Identity fragments as nodes, so that a number or an address given by several users shows as one node.
    "phone": NodeSpec("phone", "nodes/phones.parquet", (("phone_id", pa.int64()), ("number", pa.string())),
                      ("phone_id",), label="Phone", id_column="phone_id"),
    "address": NodeSpec("address", "nodes/addresses.parquet", (("address_id", pa.int64()), ("address", pa.string())),
                        ("address_id",), label="Address", id_column="address_id"),
}

EDGES: dict[str, EdgeSpec] = {
    "uses_device": EdgeSpec(
        "uses_device", "edges/uses_device.parquet",
        (("user_id", pa.int64()), ("device_id", pa.int64()), ("first_seen", TIMESTAMP), ("last_seen", TIMESTAMP)),
        ("user_id", "device_id"),  # one row per (user, device): the window spans every sighting
        rel_type="USES_DEVICE", src_node="user", src_column="user_id", dst_node="device", dst_column="device_id"),
    "has_account": EdgeSpec(
        "has_account", "edges/has_account.parquet",
        (("user_id", pa.int64()), ("account_id", pa.int64()), ("since", TIMESTAMP)),
        ("account_id",),  # one owner per account
        rel_type="HAS_ACCOUNT", src_node="user", src_column="user_id", dst_node="account", dst_column="account_id"),
    "uses_ip": EdgeSpec(
        "uses_ip", "edges/uses_ip.parquet",
        (("user_id", pa.int64()), ("ip_id", pa.int64()), ("first_seen", TIMESTAMP), ("last_seen", TIMESTAMP)),
        ("user_id", "ip_id"),  # one row per (user, IP)
        rel_type="USES_IP", src_node="user", src_column="user_id", dst_node="ip", dst_column="ip_id"),
    "transfers_to": EdgeSpec(
        "transfers_to", "edges/transfers_to.parquet",
        (("src_account_id", pa.int64()), ("dst_account_id", pa.int64()), ("first_ts", TIMESTAMP),
         ("last_ts", TIMESTAMP), ("n_txns", pa.int64()), ("total_amount", pa.float64())),
        ("src_account_id", "dst_account_id"),
        rel_type="TRANSFERS_TO", src_node="account", src_column="src_account_id",
        dst_node="account", dst_column="dst_account_id"),
    "has_phone": EdgeSpec(
        "has_phone", "edges/has_phone.parquet", (("user_id", pa.int64()), ("phone_id", pa.int64())), ("user_id",),
        rel_type="HAS_PHONE", src_node="user", src_column="user_id", dst_node="phone", dst_column="phone_id"),
    "lives_at": EdgeSpec(
        "lives_at", "edges/lives_at.parquet", (("user_id", pa.int64()), ("address_id", pa.int64())), ("user_id",),
        rel_type="LIVES_AT", src_node="user", src_column="user_id", dst_node="address", dst_column="address_id"),
}

TRANSACTIONS = TableSpec(
    "transactions", "transactions.parquet",
    (("txn_id", pa.int64()), ("src_account_id", pa.int64()), ("dst_account_id", pa.int64()),
     ("user_id", pa.int64()), ("device_id", pa.int64()), ("ip_id", pa.int64()), ("ts", TIMESTAMP),
     ("amount", pa.float64()), ("channel", pa.string()), ("status", pa.string())),
    ("txn_id",),
    (("src_account_id", "account"), ("dst_account_id", "account"), ("user_id", "user"), ("device_id", "device"),
     ("ip_id", "ip")))

EVENTS = TableSpec(
    "events", "events.parquet",
    (("event_id", pa.int64()), ("user_id", pa.int64()), ("device_id", pa.int64()), ("ip_id", pa.int64()),
     ("ts", TIMESTAMP), ("event_type", pa.string()), ("payee_account_id", pa.int64())),
    ("event_id",),
    (("user_id", "user"), ("device_id", "device"), ("ip_id", "ip"), ("payee_account_id", "account")))

_RING_LABEL_COLUMNS = (("is_fraud", pa.bool_()), ("ring_id", pa.int64()), ("typology", pa.string()))

LABELS: dict[str, TableSpec] = {
    "user": TableSpec(
        "user", "labels/users.parquet",
        (("user_id", pa.int64()), *_RING_LABEL_COLUMNS, ("role", pa.string()), ("fraud_confirmed_at", TIMESTAMP)),
        ("user_id",)),
    "account": TableSpec(
        "account", "labels/accounts.parquet",
        (("account_id", pa.int64()), *_RING_LABEL_COLUMNS, ("role", pa.string()), ("fraud_confirmed_at", TIMESTAMP)),
        ("account_id",)),
    "transaction": TableSpec(
        "transaction", "labels/transactions.parquet",
        (("txn_id", pa.int64()), *_RING_LABEL_COLUMNS, ("fraud_confirmed_at", TIMESTAMP)),
        ("txn_id",)),
    "event": TableSpec(
        "event", "labels/events.parquet", (("event_id", pa.int64()), *_RING_LABEL_COLUMNS), ("event_id",)),
    "ring": TableSpec(
        "ring", "labels/rings.parquet",
        (("ring_id", pa.int64()), ("typology", pa.string()), ("n_users", pa.int64()), ("n_accounts", pa.int64()),
         ("n_devices", pa.int64()), ("n_ips", pa.int64()), ("n_transactions", pa.int64()),
         ("active_from", TIMESTAMP), ("active_to", TIMESTAMP)),
        ("ring_id",)),
    "ring_member": TableSpec(
        "ring_member", "labels/ring_members.parquet",
        (("ring_id", pa.int64()), ("node_type", pa.string()), ("node_id", pa.int64()), ("role", pa.string())),
        ("ring_id", "node_type", "node_id")),
}


def all_specs() -> list[TableSpec]:
    """Every published table, in the order they are written."""
    return [*NODES.values(), *EDGES.values(), TRANSACTIONS, EVENTS, *LABELS.values()]


# -- working shapes ------------------------------------------------------------------------------------
I8, I64, F32, F64, BOOL = pa.int8(), pa.int64(), pa.float32(), pa.float64(), pa.bool_()


def _working(name: str, columns: tuple[tuple[str, pa.DataType], ...],
             references: tuple[tuple[str, str], ...] = ()) -> TableSpec:
    return TableSpec(name, "", columns, (), references)


WORKING_NODES: dict[str, TableSpec] = {
    "user": _working("user", (("country", I8), ("segment", I8), ("created_at", I64), ("_family", I64), ("_household", I64),
                              ("_phone_group", I64), ("_kind", I8))),
    "device": _working("device", (("device_type", I8), ("os", I8))),
    "account": _working("account", (("account_type", I8), ("opened_at", I64), ("balance", F64), ("credit_limit", F64), ("_owner", I64),
                                    ("_primary", BOOL)), (("_owner", "user"),)),
    "ip": _working("ip", (("connection_type", I8), ("is_vpn", BOOL), ("is_hosting", BOOL), ("country", I8))),
}
_LINKS = {
    name: _working(name, (("user_id", I64), (f"{target}_id", I64), ("first_seen", I64), ("last_seen", I64), ("_primary", BOOL)),
                   (("user_id", "user"), (f"{target}_id", target)))
    for name, target in (("uses_device", "device"), ("uses_ip", "ip"))
}
_MONEY = (("src_account_id", "account"), ("dst_account_id", "account"))
# TRANSFERS_TO while it carries payment patterns (population, rings), then once aggregated (transactions).
PLANNED_TRANSFERS = _working("transfers_to", (
    ("src_account_id", I64), ("dst_account_id", I64), ("_pattern", I8), ("_channel", I8), ("_mu", F32), ("_sigma", F32),
    ("_rate", F32), ("_phase", I64), ("_round_to", F32)), _MONEY)
AGGREGATED_TRANSFERS = _working("transfers_to", (
    ("src_account_id", I64), ("dst_account_id", I64), ("first_ts", I64), ("last_ts", I64), ("n_txns", I64),
    ("total_amount", F64)), _MONEY)
# Payments scheduled explicitly (bill splits, collections, rings), then every derived transaction.
SCHEDULED_TRANSACTIONS = _working("transactions", (
    ("src_account_id", I64), ("dst_account_id", I64), ("ts", I64), ("amount", F64), ("channel", I8), ("status", I8),
    ("_device_edge", I64), ("_ip_edge", I64), ("_ring", I64)), _MONEY)
DERIVED_TRANSACTIONS = _working("transactions", (
    ("src_account_id", I64), ("dst_account_id", I64), ("user_id", I64), ("device_id", I64), ("ip_id", I64), ("ts", I64),
    ("amount", F64), ("channel", I8), ("status", I8), ("_ring", I64)),
    (*_MONEY, ("user_id", "user"), ("device_id", "device"), ("ip_id", "ip")))
# Events placed explicitly (identity changes, payees, ring logins), then every event with its device and IP.
SCHEDULED_EVENTS = _working("events", (
    ("user_id", I64), ("ts", I64), ("event_type", I8), ("payee_account_id", I64), ("_device_edge", I64),
    ("_ip_edge", I64), ("_ring", I64)), (("user_id", "user"), ("payee_account_id", "account")))
DERIVED_EVENTS = _working("events", (
    ("user_id", I64), ("device_id", I64), ("ip_id", I64), ("ts", I64), ("event_type", I8), ("payee_account_id", I64),
    ("_ring", I64)), (("user_id", "user"), ("device_id", "device"), ("ip_id", "ip"), ("payee_account_id", "account")))
QUIET = _working("_quiet", (("user", I64), ("from", I64), ("to", I64)), (("user", "user"),))
RING_TABLES = {
    "_rings": _working("_rings", (("typology", I8), ("active_from", I64), ("active_to", I64))),
    "_members": _working("_members", (("ring", I64), ("node_type", I8), ("node", I64), ("role", I8))),
    # Users kept from any activity of their own in [from, to): customers who left, sleepers before a takeover.
    "_quiet": QUIET,
}


@dataclass(frozen=True)
class Shape:
    """What an :class:`~graphgen.graph.EntityGraph` holds after a stage."""

    name: str
    nodes: dict[str, TableSpec]
    edges: dict[str, TableSpec]
    transactions: TableSpec
    events: TableSpec
    labels: dict[str, TableSpec]
    published: bool = False  # dense, sorted, unique ids as in the written files


SHAPES: dict[str, Shape] = {
    "population": Shape("population", WORKING_NODES, {**_LINKS, "transfers_to": PLANNED_TRANSFERS}, SCHEDULED_TRANSACTIONS, SCHEDULED_EVENTS,
                          {"_quiet": QUIET}),
    "rings": Shape("rings", WORKING_NODES, {**_LINKS, "transfers_to": PLANNED_TRANSFERS}, SCHEDULED_TRANSACTIONS, SCHEDULED_EVENTS,
                    RING_TABLES),
    "transactions": Shape("transactions", WORKING_NODES, {**_LINKS, "transfers_to": AGGREGATED_TRANSFERS},
                          DERIVED_TRANSACTIONS, SCHEDULED_EVENTS, RING_TABLES),
    "events": Shape("events", WORKING_NODES, {**_LINKS, "transfers_to": AGGREGATED_TRANSFERS},
                    DERIVED_TRANSACTIONS, DERIVED_EVENTS, RING_TABLES),
    "labels": Shape("labels", NODES, EDGES, TRANSACTIONS, EVENTS, LABELS, published=True),
}
PUBLISHED = SHAPES["labels"]
