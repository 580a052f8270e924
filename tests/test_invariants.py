"""Structural invariants of a generated graph: the promises every exporter and user relies on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphgen import schema


def frame(table) -> pd.DataFrame:
    return table.to_pandas()


def ms(series: pd.Series) -> np.ndarray:
    """Epoch milliseconds of a timestamp column."""
    return series.dt.as_unit("ms").astype("int64").to_numpy()


@pytest.mark.parametrize("node_type", list(schema.NODES))
def test_node_ids_are_dense_unique_and_in_row_order(small_graph, node_type):
    ids = small_graph.nodes[node_type].column(schema.NODES[node_type].id_column).to_numpy()
    np.testing.assert_array_equal(ids, np.arange(len(ids)))


def test_every_table_has_the_published_schema(small_graph):
    for path, table in small_graph.tables().items():
        spec = next(s for s in schema.all_specs() if s.path == path)
        assert table.schema.equals(spec.schema), path


def test_tables_are_sorted_by_their_keys(small_graph):
    for path, table in small_graph.tables().items():
        spec = next(s for s in schema.all_specs() if s.path == path)
        keys = frame(table.select(list(spec.sort_key)))
        assert keys.equals(keys.sort_values(list(spec.sort_key), kind="stable").reset_index(drop=True)), path


def test_edges_reference_existing_nodes(small_graph):
    for name, spec in schema.EDGES.items():
        table = small_graph.edges[name]
        for node, column in ((spec.src_node, spec.src_column), (spec.dst_node, spec.dst_column)):
            values = table.column(column).to_numpy()
            assert values.min() >= 0 and values.max() < small_graph.num_nodes(node), (name, column)


def test_each_user_device_and_user_ip_pair_appears_once(small_graph):
    for name in ("uses_device", "uses_ip"):
        edges = frame(small_graph.edges[name])
        assert not edges.duplicated(edges.columns[:2].tolist()).any(), name


def test_time_windows_are_consistent(small_graph, small_config):
    _, snapshot = small_config.horizon_ms()
    users = frame(small_graph.nodes["user"])
    created = ms(users["created_at"])
    for name in ("uses_device", "uses_ip"):
        edges = frame(small_graph.edges[name])
        first, last = ms(edges["first_seen"]), ms(edges["last_seen"])
        assert (first <= last).all(), name
        assert (last <= snapshot).all(), name
        assert (first >= created[edges["user_id"]]).all(), f"{name}: seen before the user signed up"
    accounts = frame(small_graph.nodes["account"])
    has = frame(small_graph.edges["has_account"])
    assert len(has) == len(accounts) and has["account_id"].is_unique  # exactly one owner per account
    opened = ms(accounts["opened_at"])
    assert (opened[has["account_id"]] == ms(has["since"])).all()
    assert (opened[has["account_id"]] >= created[has["user_id"]]).all()
    devices = frame(small_graph.nodes["device"])
    uses = frame(small_graph.edges["uses_device"])
    earliest = uses.groupby("device_id")["first_seen"].min()
    assert (devices.loc[earliest.index, "first_seen"] == earliest).all()


@pytest.fixture(scope="module")
def txns(small_graph) -> pd.DataFrame:
    return frame(small_graph.transactions)


def test_transactions_are_in_the_horizon_on_existing_edges(small_graph, small_config, txns):
    start, snapshot = small_config.horizon_ms()
    ts = ms(txns["ts"])
    assert ((ts >= start) & (ts <= snapshot)).all()
    assert txns["txn_id"].is_monotonic_increasing and (np.diff(ts) >= 0).all()  # ids follow time
    edges = frame(small_graph.edges["transfers_to"])
    keyed = txns.merge(edges, on=["src_account_id", "dst_account_id"], how="left", indicator=True)
    assert (keyed["_merge"] == "both").all(), "a transaction travels along no TRANSFERS_TO edge"
    opened = ms(frame(small_graph.nodes["account"])["opened_at"])
    assert (ts >= opened[txns["src_account_id"]]).all() and (ts >= opened[txns["dst_account_id"]]).all()


def test_transactions_are_initiated_by_the_owner_from_a_device_and_ip_they_held(small_graph, txns):
    owner = frame(small_graph.edges["has_account"]).set_index("account_id")["user_id"]
    assert (owner.loc[txns["src_account_id"]].to_numpy() == txns["user_id"].to_numpy()).all()
    ts = ms(txns["ts"])
    for name, column in (("uses_device", "device_id"), ("uses_ip", "ip_id")):
        windows = frame(small_graph.edges[name])
        held = txns[["user_id", column]].assign(ts=ts).merge(windows, on=["user_id", column], how="left")
        assert held["first_seen"].notna().all(), f"a transaction uses a {column} its user never had"
        first, last = ms(held["first_seen"]), ms(held["last_seen"])
        assert ((first <= held["ts"].to_numpy()) & (held["ts"].to_numpy() <= last)).all(), \
            f"a transaction uses a {column} outside the user's window"


def test_transfer_aggregates_match_the_transactions(small_graph, txns):
    edges = frame(small_graph.edges["transfers_to"]).set_index(["src_account_id", "dst_account_id"])
    moved = txns.assign(amount=txns["amount"].where(txns["status"] == "completed", 0.0))  # a returned payment moves nothing
    agg = moved.groupby(["src_account_id", "dst_account_id"]).agg(
        n_txns=("txn_id", "size"), total_amount=("amount", "sum"), first_ts=("ts", "min"), last_ts=("ts", "max"))
    agg = agg.loc[edges.index]
    np.testing.assert_array_equal(agg["n_txns"], edges["n_txns"])
    np.testing.assert_allclose(agg["total_amount"], edges["total_amount"], atol=0.01)
    assert (agg["first_ts"] == edges["first_ts"]).all() and (agg["last_ts"] == edges["last_ts"]).all()
    assert (edges["n_txns"] >= 1).all()


def test_returned_payments_are_bank_run_payments_or_card_repayments(small_graph, txns):
    accounts = frame(small_graph.nodes["account"]).set_index("account_id")
    returned = txns[txns["status"] == "returned"]
    assert set(txns["status"]) == {"completed", "returned"} and len(returned) > 20
    to_card = accounts.loc[returned["dst_account_id"], "account_type"].to_numpy() == "credit_card"
    assert (returned["channel"].isin(["direct_debit", "standing_order"]).to_numpy() | to_card).all()
    cards = accounts["account_type"] == "credit_card"
    assert accounts.loc[cards, "credit_limit"].gt(0).all() and accounts.loc[~cards, "credit_limit"].isna().all()
    assert (-accounts.loc[cards, "balance"] <= accounts.loc[cards, "credit_limit"]).all(), "a card owes more than its limit"


def test_phone_and_address_nodes_are_the_users_own(small_graph):
    users = frame(small_graph.nodes["user"]).set_index("user_id")
    for node, value, edge, column in (("phone", "number", "has_phone", "phone"), ("address", "address", "lives_at", "address")):
        fragments = frame(small_graph.nodes[node]).set_index(f"{node}_id")[value]
        links = frame(small_graph.edges[edge])
        assert fragments.is_unique and len(links) == len(users)
        assert (fragments.loc[links[f"{node}_id"]].to_numpy() == users.loc[links["user_id"], column].to_numpy()).all()
        assert links[f"{node}_id"].nunique() == len(fragments), f"a {node} nobody gives"


def test_labels_cover_every_entity_and_agree_with_ring_tables(small_graph):
    labels = small_graph.labels
    for name, node in (("user", "user"), ("account", "account")):
        table = frame(labels[name])
        assert len(table) == small_graph.num_nodes(node)
        assert (table["is_fraud"] == table["ring_id"].notna()).all()
    tx = frame(labels["transaction"])
    assert len(tx) == small_graph.transactions.num_rows
    members = frame(labels["ring_member"])
    rings = frame(labels["ring"])
    counts = members.groupby(["ring_id", "node_type"]).size().unstack(fill_value=0)
    for node, column in (("user", "n_users"), ("account", "n_accounts"), ("device", "n_devices"), ("ip", "n_ips")):
        got = counts.get(node, pd.Series(0, index=counts.index)).reindex(rings["ring_id"], fill_value=0)
        np.testing.assert_array_equal(got.to_numpy(), rings[column].to_numpy())
    fraud_users = frame(labels["user"]).query("is_fraud")
    member_users = members.query("node_type == 'user'")
    assert set(fraud_users["user_id"]) == set(member_users["node_id"])


def test_networkx_and_igraph_views_hold_every_node_and_edge(small_graph):
    n_nodes = sum(small_graph.num_nodes(t) for t in schema.NODES)
    n_edges = sum(small_graph.edges[e].num_rows for e in schema.EDGES)
    g = small_graph.to_igraph()
    assert (g.vcount(), g.ecount()) == (n_nodes, n_edges)
    offsets = small_graph.vertex_offsets()
    first_user_device = small_graph.edges["uses_device"].slice(0, 1).to_pylist()[0]
    edge = g.es[g.get_eid(offsets["user"] + first_user_device["user_id"], offsets["device"] + first_user_device["device_id"])]
    assert edge["type"] == "USES_DEVICE"
    nxg = small_graph.to_networkx()
    assert nxg.number_of_nodes() == n_nodes and nxg.number_of_edges() == n_edges


def test_person_to_person_payments_are_spread_over_the_month(small_graph):
    """Only salary-linked flows cluster around pay days; friends and family pay on any day."""
    txns = small_graph.transactions.to_pandas()
    p2p = txns[txns["channel"].isin(["p2p", "instant"])]
    day_of_month = p2p["ts"].dt.day
    share_first_day = (day_of_month == 1).mean()
    assert share_first_day < 2.5 / 30, f"{share_first_day:.1%} of person-to-person payments on the 1st"
