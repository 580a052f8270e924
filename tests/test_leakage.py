"""Nothing in the feature tables gives the label away: ids, row order, PII and round amounts."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from tests.test_rings import ms


def separation(y, x) -> float:
    """How far a single column separates fraud from legit, in units of the largest gap chance allows.

    Returns |AUROC - 0.5| divided by max(0.05, 4 standard errors of AUROC under no signal), so values
    below 1 mean "no detectable information", whatever the number of positives.
    """
    n_pos, n_neg = int(np.sum(y)), int(len(y) - np.sum(y))
    chance = 4 * np.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))
    return abs(roc_auc_score(y, x) - 0.5) / max(0.05, chance)


@pytest.fixture(scope="module")
def tables(heavy):
    _, g = heavy
    members = g.labels["ring_member"].to_pandas()
    return {
        "users": (g.nodes["user"].to_pandas(), g.labels["user"].to_pandas()["is_fraud"].to_numpy()),
        "accounts": (g.nodes["account"].to_pandas(), g.labels["account"].to_pandas()["is_fraud"].to_numpy()),
        "transactions": (g.transactions.to_pandas(), g.labels["transaction"].to_pandas()["is_fraud"].to_numpy()),
        "events": (g.events.to_pandas(), g.labels["event"].to_pandas()["is_fraud"].to_numpy()),
        "devices": (d := g.nodes["device"].to_pandas(), d["device_id"].isin(members.query("node_type == 'device'")["node_id"]).to_numpy()),
        "ips": (i := g.nodes["ip"].to_pandas(), i["ip_id"].isin(members.query("node_type == 'ip'")["node_id"]).to_numpy()),
    }


@pytest.mark.parametrize("name,id_column", [("users", "user_id"), ("accounts", "account_id"), ("devices", "device_id"),
                                            ("ips", "ip_id")])
def test_ids_and_row_order_carry_no_label(tables, name, id_column):
    features, y = tables[name]
    assert y.sum() >= 30, "too few positives to tell"
    assert separation(y, features[id_column]) < 1
    assert separation(y, np.arange(len(y))) < 1  # row order


@pytest.mark.parametrize("name,id_column", [("transactions", "txn_id"), ("events", "event_id")])
def test_payment_and_event_ids_carry_nothing_beyond_time(tables, name, id_column):
    """Transaction and event ids follow time by design (fraud has its own timing, like anything people do):
    within a day, the position of a row among that day's ids tells no more about fraud than its time of day."""
    rows, y = tables[name]
    assert y.sum() >= 30, "too few positives to tell"
    day = rows["ts"].dt.floor("D")
    assert (rows[id_column].diff().dropna() > 0).all() and day.is_monotonic_increasing
    by_id = rows.groupby(day)[id_column].rank(pct=True).to_numpy()
    by_time = rows.groupby(day)["ts"].rank(pct=True).to_numpy()
    assert abs(roc_auc_score(y, by_id) - roc_auc_score(y, by_time)) < 0.005


@pytest.mark.parametrize("column", ["name", "email", "phone"])
def test_pii_carries_no_label(tables, column):
    users, y = tables["users"]
    values = users[column]
    for feature in (values.str.len(), values.str.count(r"\d"), values.str.slice(-1).map(ord), values.map(lambda v: zlib.crc32(v.encode())) % 1000):
        assert separation(y, feature) < 1, column


@pytest.mark.parametrize("step", [1, 10, 50, 100])
def test_round_amounts_carry_no_label(tables, step):
    txns, y = tables["transactions"]
    cents = np.round(txns["amount"].to_numpy() * 100).astype(np.int64)
    assert separation(y, cents % (step * 100) == 0) < 1


def test_fraud_amounts_are_not_constant_along_an_edge(tables):
    txns, y = tables["transactions"]
    fraud = txns[y]
    repeated = fraud.groupby(["src_account_id", "dst_account_id"])["amount"].agg(["size", "nunique"]).query("size >= 2")
    assert len(repeated) >= 10
    assert (repeated["nunique"] == repeated["size"]).mean() > 0.95


def test_synthetic_identities_live_like_new_customers(heavy):
    """Ring members who signed up during the horizon (synthetic identities) are as often on carrier NAT, paid by
    other people, paid a salary and paying bills by direct debit as the legitimate customers who signed up then: a
    bare identity would stand out."""
    config, g = heavy
    start = config.horizon_ms()[0]
    users = g.nodes["user"].to_pandas()
    new = ms(users["created_at"]) >= start
    fraud = g.labels["user"].to_pandas()["is_fraud"].to_numpy()
    owner = g.edges["has_account"].to_pandas().set_index("account_id")["user_id"]
    accounts = g.nodes["account"].to_pandas().set_index("account_id")
    t = g.transactions.to_pandas()
    t = t[t["status"] == "completed"]
    business = accounts.loc[t["src_account_id"], "account_type"].to_numpy() == "business"
    payee = owner.loc[t["dst_account_id"]].to_numpy()
    ips = g.nodes["ip"].to_pandas().set_index("ip_id")
    uses_ip = g.edges["uses_ip"].to_pandas()
    on_carrier = uses_ip[ips.loc[uses_ip["ip_id"], "connection_type"].to_numpy() == "mobile"]["user_id"].unique()
    habits = {
        "on carrier NAT": users["user_id"].isin(on_carrier).to_numpy(),
        "paid by a person": users["user_id"].isin(payee[~business & (t["user_id"].to_numpy() != payee)]).to_numpy(),
        "paid by a business": users["user_id"].isin(payee[business]).to_numpy(),
        "paying a direct debit": users["user_id"].isin(t.loc[t["channel"] == "direct_debit", "user_id"]).to_numpy(),
    }
    for habit, has in habits.items():
        synthetic, legit = has[new & fraud].mean(), has[new & ~fraud].mean()
        assert (new & fraud).sum() >= 100 and legit >= 0.2
        assert abs(synthetic - legit) <= 0.15, f"{habit}: {synthetic:.2f} of synthetic identities, {legit:.2f} of new customers"
