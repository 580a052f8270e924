"""Identities that survive a close look: phones, IBANs, addresses, devices and IPs agree with reality and
with each other."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from schwifty import IBAN

from graphgen import locales
from graphgen.pipeline import STAGES


@pytest.fixture(scope="module")
def frames(small_graph):
    return {name: small_graph.nodes[name].to_pandas() for name in small_graph.nodes}


def ring_of(graph) -> pd.Series:
    return graph.labels["user"].to_pandas().set_index("user_id")["ring_id"]


def test_phone_numbers_are_valid_mobiles_of_the_users_country(frames, small_graph):
    users = frames["user"]
    shared = users[users.duplicated("phone", keep=False)]
    assert len(shared) > 20, "families giving one number missing"
    ring = ring_of(small_graph)
    for _, group in shared.groupby("phone"):
        one_family = group["address"].nunique() == 1 and group["name"].str.split().str[-1].nunique() == 1
        one_ring = ring.loc[group["user_id"]].notna().all() and ring.loc[group["user_id"]].nunique() == 1
        assert one_family or one_ring, "users sharing a number are neither a family nor a ring: a collision"
    users = users.drop_duplicates("phone")
    users = users.sample(min(10_000, len(users)), random_state=0)
    parsed = [phonenumbers.parse(p) for p in users["phone"]]
    assert all(phonenumbers.is_valid_number(p) for p in parsed)
    assert [phonenumbers.region_code_for_number(p) for p in parsed] == users["country"].tolist()
    assert all(phonenumbers.number_type(p) == phonenumbers.PhoneNumberType.MOBILE for p in parsed)


def test_ibans_are_valid_unique_and_not_derived_from_ids(frames, small_graph):
    accounts = frames["account"]
    owner_country = frames["user"].set_index("user_id").loc[
        small_graph.edges["has_account"].to_pandas().set_index("account_id").loc[accounts["account_id"], "user_id"], "country"]
    assert accounts["account_number"].is_unique
    with warnings.catch_warnings():  # SE, PT and others: schwifty knows no national checksum to verify
        warnings.simplefilter("ignore")
        for number in accounts["account_number"]:
            IBAN(number, validate_bban=True)  # raises on a bad length, format, check digits or national checksum
    assert (accounts["account_number"].str[:2].to_numpy() == owner_country.to_numpy()).all()
    digits = accounts["account_number"].str[-6:].astype(int).to_numpy()
    slope = np.polyfit(accounts["account_id"], digits, 1)[0]
    assert abs(np.corrcoef(accounts["account_id"], digits)[0, 1]) < 0.05 and abs(slope) < 1


def test_emails_are_unique_and_addresses_are_shared_only_by_a_household(frames, small_graph):
    users = frames["user"]
    assert users["email"].is_unique and users["email"].str.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]+").all()
    shared = users[users.duplicated("address", keep=False)]
    assert len(shared) > 100, "households should share an address"
    uses_ip = small_graph.edges["uses_ip"].to_pandas()
    ips = frames["ip"].set_index("ip_id")
    home = uses_ip[ips.loc[uses_ip["ip_id"], "connection_type"].to_numpy() == "residential"]
    ips_of = home.groupby("user_id")["ip_id"].apply(set)
    ring = ring_of(small_graph)
    for _, group in shared.groupby("address"):
        if ring.loc[group["user_id"]].notna().all():
            continue  # identities of a bust-out ring give one address but never lived there
        common = set.intersection(*(ips_of.get(u, set()) for u in group["user_id"]))
        assert common, "users sharing an address share no home IP: an accidental collision"


def _ms(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc).timestamp() * 1000)


def test_no_device_runs_an_os_or_is_a_model_released_after_it_was_first_seen(frames):
    devices = frames["device"]
    first = devices["first_seen"].dt.as_unit("ms").astype("int64").to_numpy()
    released = {(os_name, v): _ms(d) for os_name, table in locales.OS_VERSIONS.items() for v, d, _ in table}
    os_release = np.array([released[(o, v)] for o, v in zip(devices["os"], devices["os_version"])])
    assert (os_release <= first).all()
    models = {(os_name, m): _ms(d) for (os_name, _), table in locales.MODELS.items() for m, d, _ in table}
    model_release = np.array([models[(o, m)] for o, m in zip(devices["os"], devices["model"])])
    assert (model_release <= first).all()


def test_user_agents_agree_with_os_and_browser(frames):
    devices = frames["device"]
    for os_name, version, agent in zip(devices["os"], devices["os_version"], devices["user_agent"]):
        if agent.startswith(locales.BANK_APP):
            assert f"{os_name} {version}" in agent
        elif os_name == "iOS":
            assert f"iPhone OS {version.replace('.', '_')}" in agent and "Firefox" not in agent and "Edg/" not in agent
        elif os_name == "Android":
            assert f"Android {version}" in agent and "Safari/605" not in agent
        elif os_name == "Windows":
            assert "Windows NT 10.0" in agent and "Version/" not in agent  # no Safari on Windows
    assert devices["os_version"].nunique() > 10 and devices["model"].nunique() > 10


def test_ips_are_unique_public_and_mostly_in_the_users_country(frames, small_graph):
    ips = frames["ip"]
    assert ips["address"].is_unique
    octets = ips["address"].str.split(".", expand=True).astype(int)
    assert not ((octets[0] == 10) | (octets[0] == 127) | ((octets[0] == 192) & (octets[1] == 168))).any()
    links = small_graph.edges["uses_ip"].to_pandas().merge(frames["user"][["user_id", "country"]], on="user_id")
    links = links.merge(ips[["ip_id", "country", "connection_type"]], on="ip_id", suffixes=("_user", "_ip"))
    for kind in ("residential", "mobile"):
        mine = links[links["connection_type"] == kind]
        assert (mine["country_user"] == mine["country_ip"]).mean() >= 0.9, kind
    vpn = links.merge(ips[ips["is_vpn"]][["ip_id"]], on="ip_id")
    assert (vpn["country_user"] != vpn["country_ip"]).mean() > 0.5, "VPN exits are mostly abroad"


def test_a_clean_build_writes_nothing_to_stderr_but_progress(tmp_path):
    result = subprocess.run([sys.executable, "-m", "graphgen.cli", "build", "--preset", "small", "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 0
    stages = (*(name for name, _ in STAGES), "write")
    stray = [line for line in result.stderr.splitlines() if line.strip() and not line.strip().startswith(stages)]
    assert not stray, stray
