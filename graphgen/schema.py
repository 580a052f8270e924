"""The published data model: every table graphgen writes, its columns, types and keys.

This is the contract between the generator and everything that reads its output (the Neo4j bundle and
loader, the tabular and PyG exports). Node ids are dense: after publishing, row ``i`` of a node table has
id ``i``; ids are a random permutation of generation order, so they carry no information about fraud.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """One published table: where it is written and which typed columns it has, in order."""

    name: str
    path: str
    columns: tuple[tuple[str, pa.DataType], ...]
    sort_key: tuple[str, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(n, t, nullable=True) for n, t in self.columns])

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.columns)


@dataclass(frozen=True)
class NodeSpec(TableSpec):
    label: str  # Neo4j label, also the id space in the bulk import
    id_column: str


@dataclass(frozen=True)
class EdgeSpec(TableSpec):
    rel_type: str  # Neo4j relationship type
    src_node: str
    src_column: str
    dst_node: str
    dst_column: str


NODES: dict[str, NodeSpec] = {
    "user": NodeSpec(
        "user", "nodes/users.parquet",
        (("user_id", pa.int64()), ("name", pa.string()), ("email", pa.string()), ("phone", pa.string()),
         ("country", pa.string()), ("segment", pa.string()), ("created_at", TIMESTAMP)),
        ("user_id",), label="User", id_column="user_id"),
    "device": NodeSpec(
        "device", "nodes/devices.parquet",
        (("device_id", pa.int64()), ("fingerprint", pa.string()), ("device_type", pa.string()),
         ("os", pa.string()), ("user_agent", pa.string()), ("first_seen", TIMESTAMP)),
        ("device_id",), label="Device", id_column="device_id"),
    "account": NodeSpec(
        "account", "nodes/accounts.parquet",
        (("account_id", pa.int64()), ("account_number", pa.string()), ("account_type", pa.string()),
         ("opened_at", TIMESTAMP), ("balance", pa.float64())),
        ("account_id",), label="Account", id_column="account_id"),
    "ip": NodeSpec(
        "ip", "nodes/ips.parquet",
        (("ip_id", pa.int64()), ("address", pa.string()), ("is_vpn", pa.bool_()), ("is_hosting", pa.bool_()),
         ("connection_type", pa.string()), ("country", pa.string())),
        ("ip_id",), label="IP", id_column="ip_id"),
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
}

TRANSACTIONS = TableSpec(
    "transactions", "transactions.parquet",
    (("txn_id", pa.int64()), ("src_account_id", pa.int64()), ("dst_account_id", pa.int64()),
     ("user_id", pa.int64()), ("device_id", pa.int64()), ("ip_id", pa.int64()), ("ts", TIMESTAMP),
     ("amount", pa.float64()), ("channel", pa.string())),
    ("txn_id",))

_RING_LABEL_COLUMNS = (("is_fraud", pa.bool_()), ("ring_id", pa.int64()), ("typology", pa.string()))

LABELS: dict[str, TableSpec] = {
    "users": TableSpec(
        "users", "labels/users.parquet",
        (("user_id", pa.int64()), *_RING_LABEL_COLUMNS, ("role", pa.string()), ("fraud_confirmed_at", TIMESTAMP)),
        ("user_id",)),
    "accounts": TableSpec(
        "accounts", "labels/accounts.parquet",
        (("account_id", pa.int64()), *_RING_LABEL_COLUMNS, ("role", pa.string()), ("fraud_confirmed_at", TIMESTAMP)),
        ("account_id",)),
    "transactions": TableSpec(
        "transactions", "labels/transactions.parquet",
        (("txn_id", pa.int64()), *_RING_LABEL_COLUMNS, ("fraud_confirmed_at", TIMESTAMP)),
        ("txn_id",)),
    "rings": TableSpec(
        "rings", "labels/rings.parquet",
        (("ring_id", pa.int64()), ("typology", pa.string()), ("n_users", pa.int64()), ("n_accounts", pa.int64()),
         ("n_devices", pa.int64()), ("n_ips", pa.int64()), ("n_transactions", pa.int64()),
         ("active_from", TIMESTAMP), ("active_to", TIMESTAMP)),
        ("ring_id",)),
    "ring_members": TableSpec(
        "ring_members", "labels/ring_members.parquet",
        (("ring_id", pa.int64()), ("node_type", pa.string()), ("node_id", pa.int64()), ("role", pa.string())),
        ("ring_id", "node_type", "node_id")),
}


def all_specs() -> list[TableSpec]:
    """Every published table, in the order they are written."""
    return [*NODES.values(), *EDGES.values(), TRANSACTIONS, *LABELS.values()]
