"""events.parquet: logins, identity changes and payee additions consistent with the payments and links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graphgen.events import PAYEE_CHANNELS, SELF_INITIATED, SESSION_GAP
from graphgen.vocab import CHANNELS

MS = pd.Timedelta(milliseconds=1)


@pytest.fixture(scope="module")
def frames(small_graph):
    events = small_graph.events.to_pandas()
    txns = small_graph.transactions.to_pandas()
    return events, txns


def test_every_payment_a_person_makes_online_follows_a_login_on_its_device_and_ip(small_graph, frames):
    events, txns = frames
    person = small_graph.nodes["user"].to_pandas()["segment"].ne("business").to_numpy()
    own = txns[txns["channel"].isin([CHANNELS[c] for c in SELF_INITIATED]) & person[txns["user_id"]]].sort_values("ts")
    logins = events[events["event_type"] == "login"].sort_values("ts")
    matched = pd.merge_asof(own, logins[["user_id", "device_id", "ip_id", "ts"]].rename(columns={"ts": "login_ts"}),
                            left_on="ts", right_on="login_ts", by=["user_id", "device_id", "ip_id"])
    matched.index = own.index
    assert len(own) > 10_000
    gap = (matched["ts"] - matched["login_ts"]) / MS
    # A session lasts as long as its payments keep coming within the session gap; none is without its login.
    assert matched["login_ts"].notna().all()
    session = own.groupby(["user_id", "device_id", "ip_id"])["ts"].diff() / MS
    opens = session.isna() | (session > SESSION_GAP)
    assert (gap[opens] <= 5 * 60_000).all()


def test_every_event_happens_on_a_device_and_ip_its_user_held_then(small_graph, frames):
    events, _ = frames
    for name, column in (("uses_device", "device_id"), ("uses_ip", "ip_id")):
        links = small_graph.edges[name].to_pandas()
        joined = events.merge(links, on=["user_id", column], how="left")
        held = (joined["first_seen"] <= joined["ts"]) & (joined["ts"] <= joined["last_seen"])
        assert held.all(), f"{int((~held).sum())} events on a {column} their user did not hold"


def test_payees_are_added_once_before_the_first_payment_to_them(small_graph, frames):
    events, txns = frames
    added = events[events["event_type"] == "payee_added"]
    assert added["payee_account_id"].notna().all() and events.loc[events["event_type"] != "payee_added", "payee_account_id"].isna().all()
    assert not added.duplicated(["user_id", "payee_account_id"]).any()
    payee_channels = txns[txns["channel"].isin([CHANNELS[c] for c in PAYEE_CHANNELS])]
    first = payee_channels.groupby(["user_id", "dst_account_id"])["ts"].min().rename("first_paid").reset_index()
    joined = added.merge(first, left_on=["user_id", "payee_account_id"], right_on=["user_id", "dst_account_id"], how="left")
    assert joined["first_paid"].notna().all()
    assert (joined["ts"] <= joined["first_paid"]).all()
    # Long-standing payees were added before the horizon: no flood of "new payees" on its first day.
    start = pd.Timestamp(small_graph.config.start_date, tz="UTC")
    first_week = (added["ts"] < start + pd.Timedelta(days=7)).mean()
    assert first_week < 2 * 7 / small_graph.config.horizon_days


def test_identity_changes_follow_their_rates_and_some_come_with_a_new_device(small_graph, frames):
    events, _ = frames
    config = small_graph.config
    persons = int(small_graph.nodes["user"].to_pandas()["segment"].ne("business").sum())
    years = config.horizon_days / 365.25
    rate = {name: (events["event_type"] == name).sum() / (persons * years) for name in ("email_change", "phone_change")}
    per_year = config.population.email_changes_per_year
    assert 0.5 * per_year <= rate["email_change"] <= 1.2 * per_year, rate
    # Phone changes also come with some new devices (a new phone, a new number).
    assert rate["phone_change"] >= 0.5 * config.population.phone_changes_per_year, rate
    links = small_graph.edges["uses_device"].to_pandas()

    def soon_after_new_device(name: str) -> float:
        changes = events[events["event_type"] == name].merge(links, on=["user_id", "device_id"])
        return ((changes["ts"] - changes["first_seen"]) <= pd.Timedelta(days=4)).mean()

    # The look-alike of a takeover (new phone, new number); people moving house do not wait for a new phone.
    assert soon_after_new_device("phone_change") >= 3 * soon_after_new_device("address_change")


def test_events_are_in_time_order_with_dense_ids_and_labelled_like_payments(small_graph, frames):
    events, _ = frames
    assert np.array_equal(events["event_id"], np.arange(len(events)))
    assert events["ts"].is_monotonic_increasing
    labels = small_graph.labels["event"].to_pandas()
    assert np.array_equal(labels["event_id"], events["event_id"])
    assert labels["is_fraud"].any() and not labels["is_fraud"].all()
