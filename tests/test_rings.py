"""Every typology is planted as configured and shows in the graph itself; the decoys are there too.

Labels are only used to say which nodes a ring owns; each property is then checked on the feature
tables an investigator would see (edges, windows, transactions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphgen.rings import typology_names
from graphgen.rings.kiting import hop_stretch
from graphgen.rings.mule_network import patience
from graphgen.sampling import DAY, HOUR


@pytest.fixture(scope="module")
def g(small_graph):
    return small_graph


@pytest.fixture(scope="module")
def members(g) -> pd.DataFrame:
    return g.labels["ring_member"].to_pandas().merge(g.labels["ring"].to_pandas(), on="ring_id")


def ms(series: pd.Series) -> np.ndarray:
    return series.dt.as_unit("ms").astype("int64").to_numpy()


def test_every_registered_typology_is_planted(g):
    rings = g.labels["ring"].to_pandas()
    assert set(rings["typology"]) == set(typology_names())
    assert (rings.groupby("typology").size() >= 2).all()


def test_kiting_rings_are_time_ordered_escalating_cycles(g, members, small_config):
    cfg = small_config.rings.kiting
    transfers = g.edges["transfers_to"].to_pandas()
    txns = g.transactions.to_pandas()
    kiting = members.query("typology == 'kiting' and node_type == 'account'")
    assert kiting["ring_id"].nunique() >= 2
    for ring_id, ring in kiting.groupby("ring_id"):
        accounts = set(ring["node_id"])
        inside = transfers[transfers["src_account_id"].isin(accounts) & transfers["dst_account_id"].isin(accounts)]
        # A directed cycle through all k accounts: one edge out and one in per account, one orbit.
        assert len(inside) == len(accounts) and inside["src_account_id"].is_unique and inside["dst_account_id"].is_unique
        successor = dict(zip(inside["src_account_id"], inside["dst_account_id"]))
        hops = txns.merge(inside[["src_account_id", "dst_account_id"]], on=["src_account_id", "dst_account_id"])
        start = hops.sort_values("ts").iloc[0]["src_account_id"]
        cycle, node = [start], successor[start]
        while node != start:
            cycle.append(node)
            node = successor[node]
        assert len(cycle) == len(accounts), f"ring {ring_id} is not one cycle"
        assert cfg.cycle_length.low <= len(cycle) <= cfg.cycle_length.high
        # Every hop edge carries one payment per round; within a round the hops follow the cycle in time.
        per_edge = hops.groupby("src_account_id").size()
        rounds = int(per_edge.iloc[0])
        assert (per_edge == rounds).all() and cfg.rounds.low <= rounds
        hops = hops.sort_values("ts")
        hops["round"] = hops.groupby("src_account_id").cumcount()
        hop_index = {a: i for i, a in enumerate(cycle)}
        hops["hop"] = hops["src_account_id"].map(hop_index)
        for r, one_round in hops.groupby("round"):
            ordered = one_round.sort_values("hop")
            gaps = np.diff(ms(ordered["ts"]))
            assert (gaps > 0).all(), f"ring {ring_id} round {r} is not time-ordered along the cycle"
            # Times follow the daily rhythm (a monotone map of each day onto itself), which moves a gap by
            # less than two days either way.
            assert (gaps <= cfg.hop_hours.high * hop_stretch(small_config.rings.mimicry) * HOUR + 2 * DAY).all()
        first_hop = hops[hops["hop"] == 0].sort_values("round")["amount"].to_numpy()
        assert (np.diff(first_hop) > 0).all(), f"ring {ring_id} does not escalate"


def test_mule_networks_pass_victims_money_on_layer_by_layer(g, members, small_config):
    """Victims pay first-layer mules; every mule pays on, less a cut, hours later; cashiers pay exchanges."""
    cfg = small_config.rings.mule_network
    txns, labels = g.transactions.to_pandas(), g.labels["transaction"].to_pandas()
    accounts = g.nodes["account"].to_pandas()
    business = set(accounts.loc[accounts["account_type"] == "business", "account_id"])
    mules = members.query("typology == 'mule_network'")
    assert mules["ring_id"].nunique() >= 3
    for ring_id, ring in mules.groupby("ring_id"):
        users = ring.query("node_type == 'user'")
        account_of = ring.query("node_type == 'account'")["node_id"].to_numpy()
        assert len(users) == len(account_of)
        layers = users["role"].value_counts()
        assert cfg.first_layer.min <= layers["mule"] and layers["cashier"] >= 1
        paid = txns[txns["txn_id"].isin(labels.loc[labels["ring_id"] == ring_id, "txn_id"])]
        inside = paid["src_account_id"].isin(account_of) & paid["dst_account_id"].isin(account_of)
        came_in = paid[~paid["src_account_id"].isin(account_of) & paid["dst_account_id"].isin(account_of)]
        went_out = paid[paid["src_account_id"].isin(account_of) & ~paid["dst_account_id"].isin(account_of)]
        assert len(came_in) and inside.any() and len(went_out), f"ring {ring_id} has no layered flow"
        assert came_in["dst_account_id"].nunique() >= cfg.first_layer.min  # fan-in from victims
        assert went_out["dst_account_id"].isin(business).all(), "cash-outs go to exchanges"
        # No mule pays on more than it received (give or take rounding to 10), and the ring keeps its cuts.
        received = paid.groupby("dst_account_id")["amount"].sum()
        sent = paid.groupby("src_account_id")["amount"].agg(["sum", "size"]).loc[lambda f: f.index.isin(account_of)]
        assert (sent["sum"] <= received.reindex(sent.index).fillna(0) + 10 * sent["size"]).all()
        assert went_out["amount"].sum() < came_in["amount"].sum()
        # Each payment a mule passes on leaves within pass_hours (stretched by mimicry, plus the daily rhythm).
        out_of_mules = paid[paid["src_account_id"].isin(account_of)].sort_values("ts")
        into_mules = paid[paid["dst_account_id"].isin(account_of)].sort_values("ts")
        matched = pd.merge_asof(out_of_mules.assign(t=ms(out_of_mules["ts"])), into_mules.assign(t=ms(into_mules["ts"]))[
            ["dst_account_id", "t"]].rename(columns={"dst_account_id": "src_account_id", "t": "t_in"}),
            left_on="t", right_on="t_in", by="src_account_id")
        assert matched["t_in"].notna().all(), "a mule paid on money it never received"
        most = cfg.pass_hours.high * patience(small_config.rings.mimicry) * HOUR + 2 * DAY
        assert (matched["t"] - matched["t_in"] <= most).all()


def test_device_rings_run_several_users_per_device_within_the_window(g, members, small_config):
    cfg = small_config.rings.device_sharing
    uses = g.edges["uses_device"].to_pandas()
    operators = set(members.query("typology == 'device_sharing' and role == 'operator'")["node_id"])
    devices = members.query("typology == 'device_sharing' and node_type == 'device'")
    assert len(devices) >= 3
    for _, device in devices.iterrows():
        on = uses[uses["device_id"] == device["node_id"]]
        assert len(on) >= cfg.users_per_device.low
        # Identities show up within the ring's window; the operator's own phone may have been in use long before.
        first = ms(on[~on["user_id"].isin(operators)]["first_seen"])
        assert first.max() - first.min() <= cfg.window_days.high * DAY + 2 * DAY, "identities show up over more than the window"


def test_ip_pools_pass_between_users_in_successive_windows(g, members, small_config):
    cfg = small_config.rings.ip_recycling
    uses = g.edges["uses_ip"].to_pandas()
    pools = members.query("typology == 'ip_recycling' and node_type == 'ip'")
    assert len(pools) >= 3
    overlapping = handovers = 0
    for _, ip in pools.iterrows():
        on = uses[uses["ip_id"] == ip["node_id"]].sort_values("first_seen")
        assert len(on) >= cfg.size.min and on["user_id"].is_unique
        lag = ms(on["first_seen"])[1:] - ms(on["last_seen"])[:-1]
        # One holder after another: a new holder never arrives before the last one's slot was mostly over.
        assert (lag > -cfg.slot_hours.high * HOUR).all(), "pool IP holders share it for a whole slot"
        overlapping += int((lag < 0).sum())
        handovers += len(lag)
    assert 0 < overlapping < 0.5 * handovers, f"{overlapping} of {handovers} hand-overs overlap (overlap_share {cfg.overlap_share})"
    pool_edges = uses[uses["ip_id"].isin(set(pools["node_id"]))]
    assert (pool_edges.groupby("user_id").size() >= 2).all(), "a member should rotate through several pool IPs"


def test_decoys_are_present(g, members):
    fraud_devices = set(members.query("node_type == 'device'")["node_id"])
    fraud_ips = set(members.query("node_type == 'ip'")["node_id"])
    uses_device = g.edges["uses_device"].to_pandas()
    legit_device_users = uses_device[~uses_device["device_id"].isin(fraud_devices)].groupby("device_id").size()
    assert (legit_device_users.between(2, 6)).sum() > 50, "family tablets missing"
    assert (legit_device_users > 5).sum() > 0, "public terminals missing"
    uses_ip = g.edges["uses_ip"].to_pandas()
    legit_ip = uses_ip[~uses_ip["ip_id"].isin(fraud_ips)]
    ip_users = legit_ip.groupby("ip_id").size()
    ips = g.nodes["ip"].to_pandas().set_index("ip_id")
    assert (ip_users > 50).sum() > 0, "carrier-grade NAT / office IPs missing"
    assert (ips.loc[ip_users[ip_users >= 5].index, "is_vpn"]).sum() > 0, "shared VPN exits missing"
    # ISP reassignment: a legit IP handed from one household to another, the windows one after the other.
    households = legit_ip.sort_values("first_seen").groupby("ip_id")
    succession = households.apply(lambda e: len(e) >= 2 and ms(e["first_seen"])[-1] > ms(e["last_seen"])[:-1].max(),
                                  include_groups=False)
    assert succession.sum() > 0, "recycled home IPs missing"
    # Legit money loops: 2-cycles (family) and time-ordered 3-cycles (flat-shares splitting bills).
    fraud_accounts = set(members.query("node_type == 'account'")["node_id"])
    t = g.edges["transfers_to"].to_pandas()
    t = t[~t["src_account_id"].isin(fraud_accounts) & ~t["dst_account_id"].isin(fraud_accounts)]
    pairs = t.merge(t, left_on=["src_account_id", "dst_account_id"], right_on=["dst_account_id", "src_account_id"])
    assert len(pairs) > 0, "family back-and-forth missing"
    e = t[["src_account_id", "dst_account_id"]]
    paths = e.merge(e, left_on="dst_account_id", right_on="src_account_id", suffixes=("_1", "_2"))
    triangles = paths.merge(e, left_on=["dst_account_id_2", "src_account_id_1"], right_on=["src_account_id", "dst_account_id"])
    triangles = triangles[triangles["src_account_id_1"] != triangles["dst_account_id_1"]]
    assert len(triangles) > 0, "legit 3-cycles (bill splitting) missing"


def test_fraud_rates_follow_the_config(heavy):
    config, graph = heavy
    users = graph.labels["user"].to_pandas()
    established = config.users  # synthetic identities come on top of the population
    for name in typology_names():
        members = (users["typology"] == name).sum()
        share = config.rings.share(name)
        assert members == pytest.approx(share * established, rel=0.15), name
    total_share = sum(config.rings.share(n) for n in typology_names())
    assert users["is_fraud"].mean() == pytest.approx(total_share, rel=0.15)


def test_label_delay_follows_the_config(heavy):
    config, graph = heavy
    users = graph.labels["user"].to_pandas().query("is_fraud")
    txns = graph.transactions.to_pandas()
    owner = graph.edges["has_account"].to_pandas().set_index("account_id")["user_id"]
    fraud_txn = graph.labels["transaction"].to_pandas()["is_fraud"].to_numpy()
    ring_txns = txns[fraud_txn]
    touched = pd.concat([
        pd.DataFrame({"user_id": owner.loc[ring_txns[side]].to_numpy(), "ts": ring_txns["ts"].to_numpy()})
        for side in ("src_account_id", "dst_account_id")])
    events = graph.events.to_pandas()[graph.labels["event"].column("is_fraud").to_numpy(zero_copy_only=False)]
    first = pd.concat([touched, events[["user_id", "ts"]]]).groupby("user_id")["ts"].min()
    confirmed = users.dropna(subset=["fraud_confirmed_at"]).set_index("user_id")["fraud_confirmed_at"]
    delay_days = (confirmed - first.loc[confirmed.index]).dt.total_seconds() / 86400
    assert (delay_days >= 0).all()
    # Delays past the snapshot are censored, so the observed mean sits a little under the configured one.
    assert 0.6 * config.labels.delay_mean_days < delay_days.mean() < 1.2 * config.labels.delay_mean_days
    unconfirmed = users["fraud_confirmed_at"].isna().mean()
    assert unconfirmed >= config.labels.unconfirmed_share * 0.7


def test_account_takeovers_log_in_from_a_new_device_add_mules_as_payees_and_drain(g, members, small_config):
    cfg = small_config.rings.account_takeover
    ato = members.query("typology == 'account_takeover'")
    events = g.events.to_pandas()
    links = g.edges["uses_device"].to_pandas()
    users = g.nodes["user"].to_pandas().set_index("user_id")
    txns = g.transactions.to_pandas()
    horizon_start = pd.Timestamp(small_config.start_date, tz="UTC")
    taken, on_attacker = 0, 0
    for ring_id, ring in ato.groupby("ring_id"):
        victims = set(ring.query("role == 'takeover_victim'")["node_id"])
        mules = set(ring.query("role == 'cash_out_account'")["node_id"])
        devices = set(ring.query("node_type == 'device'")["node_id"])
        assert victims and mules  # no attacker device where every takeover ran on the victim's own phone
        # Victims are established customers, not identities made for the scheme.
        assert (users.loc[list(victims), "created_at"] < horizon_start).all()
        for victim in victims:
            added = events.query("user_id == @victim and event_type == 'payee_added' and payee_account_id in @mules")
            assert len(added) >= 1, f"victim {victim} of ring {ring_id} added no mule as payee"
            taken += 1
            if not added["device_id"].isin(devices).all():
                continue  # a remote-access takeover on the victim's own device
            on_attacker += 1
            link = links.query("user_id == @victim and device_id in @devices")
            since = (added["ts"].min() - link["first_seen"].min()) / pd.Timedelta(hours=1)
            assert 0 <= since <= cfg.change_hours.high + 2 + cfg.burst_minutes.high / 60 + 48
            drained = txns[txns["dst_account_id"].isin(mules) & (txns["user_id"] == victim)]
            assert (drained["ts"] > added["ts"].min()).all()
    assert taken >= 10 and on_attacker >= 0.5 * taken


def test_bust_outs_share_identity_run_their_cards_up_bounce_and_fall_silent(g, members, small_config):
    cfg = small_config.rings.bust_out
    bust = members.query("typology == 'bust_out'")
    users = g.nodes["user"].to_pandas().set_index("user_id")
    accounts = g.nodes["account"].to_pandas().set_index("account_id")
    txns = g.transactions.to_pandas()
    uses_device = g.edges["uses_device"].to_pandas()
    bounced = 0
    for ring_id, ring in bust.groupby("ring_id"):
        ids = ring.query("node_type == 'user'")["node_id"].to_numpy()
        assert len(ids) >= cfg.identities.min
        who = users.loc[ids]
        span_days = (who["created_at"].max() - who["created_at"].min()) / pd.Timedelta(days=1)
        assert span_days <= cfg.signup_days.high
        devices = set(ring.query("node_type == 'device'")["node_id"])
        on_device = uses_device[uses_device["device_id"].isin(devices)].groupby("device_id")["user_id"].nunique()
        assert who["phone"].duplicated().any() or who["address"].duplicated().any() or (on_device >= 2).any(), (
            f"ring {ring_id} shares no phone, address or device")
        cards = accounts.loc[ring.query("node_type == 'account'")["node_id"]].query("account_type == 'credit_card'")
        assert len(cards) == len(ids), "each identity opens a credit card"
        active_to = ring["active_to"].iloc[0]
        for card_id, card in cards.iterrows():
            spent = txns[(txns["src_account_id"] == card_id) & (txns["ts"] > active_to - pd.Timedelta(days=cfg.bust_days.high))
                         & (txns["status"] == "completed")]["amount"].sum()
            assert spent >= cfg.spent.low * card["credit_limit"] - 50, f"card {card_id} of ring {ring_id} was not run up"
        mine = txns[txns["user_id"].isin(ids)]
        assert (mine["ts"] <= active_to).all(), f"ring {ring_id} still pays after the bust"
        bounced += int((mine["status"] == "returned").any())
    assert bust["ring_id"].nunique() >= 2 and bounced >= 1
