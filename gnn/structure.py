"""Structural signals of each ring typology, computed from the published tables alone.

An auditor (or a rules engine) looks at the objects a typology lives on: devices (how many users show up
within days of each other, how long the device lives, whether its users pay one account), IPs (how many
holders take over one after another, whether the same holders meet again on other IPs) and money cycles
(length, rounds, average amount, whether the hops follow each other in time). :data:`SIGNALS` computes one
table per typology, one row per candidate object, as of a cutoff; ``ring`` says which planted ring the object
belongs to (-1 for legitimate ones), for scoring only. Each table also carries ``flagged`` and ``suspicion``:
what the shipped ring query in ``cypher/`` would return with its documented defaults, and the score it ranks
by; ``table.attrs["users"]`` lists who each object involves (``node``, ``user`` rows), and :func:`rule_scores`
turns all this into one score per user (no labels, no training).
"""

from __future__ import annotations

from collections.abc import Callable

import yaml
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from graphgen import schema
from graphgen.graph import EntityGraph, col
from graphgen.sampling import DAY, HOUR, pair_key, pair_parts, ranks_within
from gnn.features import IDENTITY_EDGES, card_peaks, pairs_within_groups
from loaders.evaluate import CYPHER, documented_parameters

MAX_SHARED_USERS = 50  # devices and IPs with more users are public places, not candidates
MAX_CYCLE = 12  # longest money cycle looked for
NEW_ACCOUNT_DAYS = 30  # an account opened this long before a cycle first moved is new to it


def query_defaults(file: str) -> dict[str, float]:
    """The documented defaults (``// :param {...}``) of a shipped ring query: the rules use the same."""
    return yaml.safe_load(documented_parameters(CYPHER / file))


def _ms(table, name: str) -> np.ndarray:
    """A timestamp column as epoch milliseconds."""
    return table.column(name).cast("int64").to_numpy()


def _links(graph: EntityGraph, name: str, target: str, cutoff: int) -> pd.DataFrame:
    table = graph.edges[name]
    links = pd.DataFrame({"user": col(table, "user_id"), "node": col(table, target),
                          "first": _ms(table, "first_seen"), "last": _ms(table, "last_seen")})
    links = links[links["first"] < cutoff]
    links["last"] = links["last"].clip(upper=cutoff)
    size = links.groupby("node")["user"].transform("size")
    return links[(size >= 2) & (size <= MAX_SHARED_USERS)].sort_values(["node", "first"], kind="stable")


def _truth(graph: EntityGraph, typology: str, node_type: str) -> pd.Series:
    """Ring of each node of ``node_type`` that a ring of ``typology`` owns."""
    rings = graph.labels["ring"]
    of_typology = col(rings, "ring_id")[pc.equal(rings.column("typology"), typology).to_numpy(zero_copy_only=False)]
    members = graph.labels["ring_member"]
    ring = col(members, "ring_id")
    mine = pc.equal(members.column("node_type"), node_type).to_numpy(zero_copy_only=False) & np.isin(ring, of_typology)
    return pd.Series(ring[mine], index=col(members, "node_id")[mine]).groupby(level=0).first()


def _business(graph: EntityGraph) -> np.ndarray:
    return pc.equal(graph.nodes["account"].column("account_type"), "business").to_numpy(zero_copy_only=False)


def _payments(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """Who paid which personal account before the cutoff (payments to businesses carry no ring signal)."""
    t = graph.transactions
    keep = _ms(t, "ts") < cutoff
    pays = pd.DataFrame({"user": col(t, "user_id")[keep], "payee": col(t, "dst_account_id")[keep]})
    return pays[~_business(graph)[pays["payee"].to_numpy()]].drop_duplicates()


def _shared_payee(groups: pd.DataFrame, payments: pd.DataFrame) -> pd.Series:
    """Per group (``node``, ``user`` rows): the most of its users who all paid one personal account."""
    paid = groups[["node", "user"]].drop_duplicates().merge(payments, on="user")
    best = paid.groupby(["node", "payee"])["user"].nunique().groupby(level=0).max()
    return best.reindex(groups["node"].unique()).fillna(0)


def _households(graph: EntityGraph, groups: pd.DataFrame, cutoff: int, days: float) -> pd.Series:
    """Per group: the most of its users who shared one residential IP for ``days`` or longer."""
    table = graph.edges["uses_ip"]
    residential = pc.equal(graph.nodes["ip"].column("connection_type"), "residential").to_numpy(zero_copy_only=False)
    first, last, ip = _ms(table, "first_seen"), _ms(table, "last_seen"), col(table, "ip_id")
    home = residential[ip] & (last - first >= days * DAY) & (first < cutoff)
    homes = pd.DataFrame({"user": col(table, "user_id")[home], "ip": ip[home]})
    together = groups[["node", "user"]].drop_duplicates().merge(homes, on="user")
    best = together.groupby(["node", "ip"])["user"].nunique().groupby(level=0).max()
    return best.reindex(groups["node"].unique()).fillna(0)


def device_signals(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """One row per shared device (2 to 50 users), with the device query's verdict (02)."""
    q = query_defaults("02_device_sharing_rings.cypher")
    links = _links(graph, "uses_device", "device_id", cutoff)
    node, first = links["node"].to_numpy(), links["first"].to_numpy()
    # Users first seen within window_days from each user's own first sighting: the largest such group.
    key = node.astype(np.int64) * (2**40) + (first - first.min(initial=0))
    links["burst"] = np.searchsorted(key, key + q["window_days"] * DAY, side="left") - np.arange(len(key))
    per = links.groupby("node").agg(users=("user", "nunique"), first=("first", "min"), last=("last", "max"))
    opening = links.loc[links.groupby("node")["burst"].idxmax(), ["node", "first", "burst"]].set_index("node")
    window = links["first"].to_numpy() - opening.loc[node, "first"].to_numpy()
    burst = links[(window >= 0) & (window < q["window_days"] * DAY)]
    out = pd.DataFrame({"users": per["users"], "burst_users": opening["burst"]})
    out["burst_share"] = out["burst_users"] / out["users"]
    out["lifetime_days"] = (per["last"] - per["first"]) / DAY
    out["short_life"] = q["window_days"] / (out["lifetime_days"] + q["window_days"])
    out["payee_share"] = _shared_payee(burst, _payments(graph, cutoff)) / out["burst_users"]
    household = _households(graph, burst, cutoff, q["household_days"])
    out["flagged"] = (out["burst_users"] >= q["min_users"]) & (household <= q["max_household_share"] * out["burst_users"])
    out["suspicion"] = out["burst_share"] + out["short_life"] + out["payee_share"]
    out["ring"] = _truth(graph, "device_sharing", "device").reindex(out.index, fill_value=-1).to_numpy()
    out.attrs["users"] = burst[["node", "user"]]
    return out.rename_axis("device_id")


def ip_signals(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """One row per shared IP (2 to 50 users), with the IP query's verdict (03)."""
    q = query_defaults("03_ip_recycling.cypher")
    links = _links(graph, "uses_ip", "ip_id", cutoff)
    node = links["node"].to_numpy()
    prev_last = np.r_[0, links["last"].to_numpy()[:-1]]
    same = np.r_[False, node[1:] == node[:-1]]
    lag = links["first"].to_numpy() - prev_last
    links["handover"] = same & (lag <= q["max_gap_hours"] * HOUR) & (lag >= -q["max_overlap_hours"] * HOUR)
    links["overlap"] = same & (lag < 0)
    per = links.groupby("node").agg(users=("user", "nunique"), handovers=("handover", "sum"), overlaps=("overlap", "sum"))
    # Holders meeting again: pairs of holders of one IP who also both held another of these IPs.
    pair_user, pair_other, pair_ip = pairs_within_groups(links["node"].to_numpy(), links["user"].to_numpy(), MAX_SHARED_USERS)
    pairs = pd.DataFrame({"user": pair_user, "other": pair_other, "node": pair_ip})
    pairs["ips"] = pairs.groupby(["user", "other"])["node"].transform("nunique")
    met = pairs[pairs["ips"] >= 2].groupby("node")["user"].nunique().reindex(per.index, fill_value=0)
    ips = graph.nodes["ip"]
    proxy = np.where(col(ips, "is_hosting") | col(ips, "is_vpn"), 1.0,
                     np.where(pc.equal(ips.column("connection_type"), "residential").to_numpy(zero_copy_only=False), 0.5, 0.0))
    out = pd.DataFrame({"users": per["users"], "successive_holders": per["handovers"] + 1,
                        "successive_share": per["handovers"] / (per["users"] - 1).clip(lower=1), "overlaps": per["overlaps"]})
    out["met_again"] = met / out["users"]
    out["payee_share"] = _shared_payee(links, _payments(graph, cutoff)) / out["users"]
    out["proxy"] = proxy[out.index.to_numpy()]
    out["flagged"] = (out["users"] >= q["min_users"]) & (out["successive_holders"] == out["users"])
    out["suspicion"] = out["met_again"] + out["payee_share"] + out["proxy"]
    out["ring"] = _truth(graph, "ip_recycling", "ip").reindex(out.index, fill_value=-1).to_numpy()
    out.attrs["users"] = links[["node", "user"]]
    return out.rename_axis("ip_id")


def cycle_signals(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """One row per time-ordered money cycle of 3 to 12 personal accounts (payments before the cutoff), with
    the kiting query's verdict (04).

    A cycle's edges, from the one paid first, first carried money in that order, each within the query's
    ``max_hop_hours`` of the previous: how kiting, savings circles and bill-splitting loops move, and what an
    auditor looks for (time-unordered cycles are everywhere among friends and families).
    """
    q = query_defaults("04_kiting_cycles.cypher")
    t = graph.transactions
    ts = _ms(t, "ts")
    keep = ts < cutoff
    src, dst, amount, ts = col(t, "src_account_id")[keep], col(t, "dst_account_id")[keep], col(t, "amount")[keep], ts[keep]
    business = _business(graph)
    personal = ~business[src] & ~business[dst]
    src, dst, amount, ts = src[personal], dst[personal], amount[personal], ts[personal]
    key, inverse, n_txns = np.unique(pair_key(src, dst), return_inverse=True, return_counts=True)
    total = np.bincount(inverse, weights=amount)
    by_time = np.lexsort((ts, inverse))  # each edge's payments in time order
    edge_start = np.cumsum(n_txns) - n_txns
    first_ts, first_amount = ts[by_time][edge_start], amount[by_time][edge_start]
    last_amount = amount[by_time][edge_start + n_txns - 1]
    a, b = pair_parts(key)
    usable = (n_txns >= q["min_rounds"]) & (total / n_txns >= q["min_avg_amount"])
    by_src = np.flatnonzero(usable)[np.argsort(a[usable], kind="stable")]
    out_start = np.searchsorted(a[by_src], np.arange(len(business) + 1))
    max_hop = q["max_hop_hours"] * HOUR

    # Paths grown one hop at a time from every usable edge; each keeps its accounts and edges in fixed-width rows.
    seeds = np.flatnonzero(usable)
    nodes = np.full((len(seeds), MAX_CYCLE + 1), -1, np.int64)
    edges = np.full((len(seeds), MAX_CYCLE), -1, np.int64)
    nodes[:, 0], nodes[:, 1], edges[:, 0] = a[seeds], b[seeds], seeds
    found_nodes, found_edges = [], []
    for length in range(1, MAX_CYCLE):
        head = nodes[:, length]
        fan = out_start[head + 1] - out_start[head]
        path = np.repeat(np.arange(len(head)), fan)
        nxt = by_src[np.repeat(out_start[head], fan) + ranks_within(fan)]
        gap = first_ts[nxt] - first_ts[edges[path, length - 1]]
        ok = (gap > 0) & (gap <= max_hop)
        path, nxt = path[ok], nxt[ok]
        target = b[nxt]
        closes = (target == nodes[path, 0]) & (length >= 2)
        revisits = (nodes[path, 1:length + 1] == target[:, None]).any(axis=1)
        done = path[closes]
        if len(done):
            cycle_edges = edges[done].copy()
            cycle_edges[:, length] = nxt[closes]
            found_nodes.append(nodes[done, :MAX_CYCLE])
            found_edges.append(cycle_edges)
        grow = ~closes & ~revisits
        path, nxt = path[grow], nxt[grow]
        nodes, edges = nodes[path], edges[path]
        nodes[:, length + 1], edges[:, length] = b[nxt], nxt
        if not len(nodes):
            break
    columns = ["accounts", "length", "rounds", "avg_amount", "max_hop_hours", "round_days", "new_accounts", "growth",
               "pace", "flagged", "suspicion", "ring"]
    if not found_nodes:
        return pd.DataFrame(columns=columns)
    cyc_nodes, cyc_edges = np.vstack(found_nodes), np.vstack(found_edges)
    valid = cyc_edges >= 0
    length = valid.sum(axis=1)
    e = np.where(valid, cyc_edges, 0)
    times = np.where(valid, first_ts[e], 0)
    started, ended = times[:, 0], times[np.arange(len(e)), length - 1]
    opened = _ms(graph.nodes["account"], "opened_at")
    account = np.where(cyc_nodes >= 0, cyc_nodes, 0)
    new = ((opened[account] >= (started - NEW_ACCOUNT_DAYS * DAY)[:, None]) & (opened[account] <= started[:, None]) & (cyc_nodes >= 0))
    out = pd.DataFrame({
        "accounts": [tuple(r[r >= 0]) for r in cyc_nodes], "length": length,
        "rounds": np.where(valid, n_txns[e], np.iinfo(np.int64).max).min(axis=1),
        "avg_amount": np.where(valid, total[e] / n_txns[e], 0).sum(axis=1) / length,
        "max_hop_hours": np.where(valid[:, 1:], np.diff(times, axis=1), 0).max(axis=1) / HOUR,
        "round_days": (ended - started) / DAY, "new_accounts": new.sum(axis=1) / length,
        "growth": ((n_txns[e[:, 0]] > 1) & (last_amount[e[:, 0]] > first_amount[e[:, 0]])).astype(float),
    })
    out["pace"] = 1 / (1 + out["round_days"])
    out["flagged"] = True
    out["suspicion"] = out["new_accounts"] + out["growth"] + out["pace"]
    truth = _truth(graph, "kiting", "account")
    ring_of = pd.Series(np.where(cyc_nodes >= 0, cyc_nodes, -1).ravel()).map(truth).to_numpy().reshape(cyc_nodes.shape)
    out["ring"] = _majority(ring_of, length)
    owner = col(graph.edges["has_account"], "user_id")
    cycle = np.repeat(np.arange(len(out)), MAX_CYCLE)[(cyc_nodes >= 0).ravel()]
    out.attrs["users"] = pd.DataFrame({"node": cycle, "user": owner[cyc_nodes[cyc_nodes >= 0]]})
    return out[columns]


def mule_signals(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """One row per personal account paid by two or more other people before the cutoff, with the mule query's
    verdict (09): who paid it how often, what it paid out within ``max_pass_hours`` of the last money that came
    in from a person, how fast, and whether the people it paid also collect from other such accounts."""
    q = query_defaults("09_mule_networks.cypher")
    t = graph.transactions
    ts = _ms(t, "ts")
    business = _business(graph)
    keep = (ts < cutoff) & (col(t, "src_account_id") != col(t, "dst_account_id"))
    pays = pd.DataFrame({"payer": col(t, "src_account_id")[keep], "account": col(t, "dst_account_id")[keep],
                         "amount": col(t, "amount")[keep], "ts": ts[keep]})
    from_people = pays[~business[pays["payer"].to_numpy()] & ~business[pays["account"].to_numpy()]]
    per_payer = from_people.groupby(["account", "payer"]).agg(n=("ts", "size"), amount=("amount", "sum"))
    per = per_payer.assign(one_off=per_payer["n"] == 1).groupby(level=0).agg(
        payers=("n", "size"), one_off=("one_off", "sum"), received=("amount", "sum"))
    per = per[per["payers"] >= 2]
    # Each payment out of a candidate, against the last payment a person made into it at or before that moment.
    came_in = from_people.sort_values(["account", "ts"], kind="stable")
    in_account, in_ts = came_in["account"].to_numpy(), came_in["ts"].to_numpy()
    out = pays[pays["payer"].isin(per.index)]
    payer, out_ts = out["payer"].to_numpy(), out["ts"].to_numpy()
    last = np.searchsorted(in_account * 2**42 + in_ts, payer * 2**42 + out_ts, side="right") - 1
    valid = last >= 0
    valid[valid] = in_account[last[valid]] == payer[valid]
    wait = np.where(valid, out_ts - in_ts[np.maximum(last, 0)], -1)
    fast = valid & (wait <= q["max_pass_hours"] * HOUR)
    passed = pd.DataFrame({"account": payer[fast], "onward": out["account"].to_numpy()[fast],
                           "amount": out["amount"].to_numpy()[fast], "wait": wait[fast] / HOUR})
    on = passed.groupby("account").agg(passed=("amount", "sum"), wait_hours=("wait", "mean")).reindex(per.index)
    ratio = on["passed"].fillna(0) / per["received"]
    result = pd.DataFrame({"payers": per["payers"], "one_off_share": per["one_off"] / per["payers"],
                           "pass_share": ratio.where(ratio <= 1, 0.0), "pace": (1 / (1 + on["wait_hours"] / 24)).fillna(0)})
    result["flagged"] = (result["payers"] >= q["min_payers"]) & (result["pass_share"] >= q["min_passed_share"])
    # Gathering: people paid by two or more of the flagged accounts.
    onward = passed[~business[passed["onward"].to_numpy()]][["account", "onward"]].drop_duplicates()
    feeders = onward[onward["account"].isin(result.index[result["flagged"]])].groupby("onward").size()
    onward["gathering"] = onward["onward"].map(feeders).fillna(0) >= 2
    result["gathered"] = onward.groupby("account")["gathering"].mean().reindex(result.index).fillna(0.0)
    result["suspicion"] = result["one_off_share"] + result["pace"] + result["gathered"]
    result["ring"] = _truth(graph, "mule_network", "account").reindex(result.index, fill_value=-1).to_numpy()
    owner = col(graph.edges["has_account"], "user_id")
    group = np.concatenate([result.index.to_numpy(), onward["account"].to_numpy()])
    account = np.concatenate([result.index.to_numpy(), onward["onward"].to_numpy()])
    result.attrs["users"] = pd.DataFrame({"node": group, "user": owner[account]})
    return result.rename_axis("account_id")


def takeover_signals(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """One row per device first used by an established customer who then changed an identity detail or added a
    payee from it within the query's window, with the takeover query's verdict (10)."""
    q = query_defaults("10_account_takeover.cypher")
    links = graph.edges["uses_device"]
    pairs = pd.DataFrame({"user": col(links, "user_id"), "node": col(links, "device_id"), "first": _ms(links, "first_seen")})
    created = _ms(graph.nodes["user"], "created_at")
    pairs = pairs[(pairs["first"] < cutoff) & (pairs["first"] >= created[pairs["user"]] + q["min_customer_days"] * DAY)]
    events = graph.events
    kind = events.column("event_type")
    acts = pd.DataFrame({"user": col(events, "user_id"), "node": col(events, "device_id"), "ts": _ms(events, "ts"),
                         "change": pc.is_in(kind, value_set=pa.array(["email_change", "phone_change"])).to_numpy(zero_copy_only=False),
                         "payee": pc.equal(kind, "payee_added").to_numpy(zero_copy_only=False)})
    acts = acts[(acts["change"] | acts["payee"]) & (acts["ts"] < cutoff)].merge(pairs, on=["user", "node"])
    acts = acts[(acts["ts"] >= acts["first"]) & (acts["ts"] <= acts["first"] + q["within_hours"] * HOUR)]
    per = acts.groupby(["node", "user"]).agg(changes=("change", "sum"), payees=("payee", "sum")).reset_index()
    per = per[per["payees"] > 0]
    out = per.assign(changed=per["changes"] > 0, burst=np.minimum(per["payees"] / 3, 1.0)).groupby("node").agg(
        customers=("user", "size"), changed=("changed", "mean"), burst=("burst", "mean"), payees=("payees", "sum"))
    out["shared"] = 1 - 1 / out["customers"]
    out["flagged"] = True  # the query returns every device where a new-device customer added a payee
    out["suspicion"] = out["changed"] + out["burst"] + out["shared"]
    out["ring"] = _truth(graph, "account_takeover", "device").reindex(out.index, fill_value=-1).to_numpy()
    out.attrs["users"] = per[["node", "user"]]
    return out.rename_axis("device_id")


FRAGMENT_EDGES = (*IDENTITY_EDGES, "uses_device")  # users to the phones, addresses and devices a bust-out shares
FRAGMENT_STRIDE = 1 << 40  # node keys of the bust-out groups: kind * stride + id, unique across kinds


def bust_out_signals(graph: EntityGraph, cutoff: int) -> pd.DataFrame:
    """One row per phone, address or device given by a few users who all signed up close together, with the
    bust-out query's verdict (11)."""
    q = query_defaults("11_bust_out.cypher")
    created = _ms(graph.nodes["user"], "created_at")
    parts = []
    for kind, name in enumerate(FRAGMENT_EDGES):
        spec, table = schema.EDGES[name], graph.edges[name]
        user = col(table, spec.src_column)
        since = _ms(table, "first_seen") if "first_seen" in table.column_names else created[user]
        keep = since < cutoff
        parts.append(pd.DataFrame({"node": kind * FRAGMENT_STRIDE + col(table, spec.dst_column)[keep], "user": user[keep]}))
    groups = pd.concat(parts, ignore_index=True).drop_duplicates()
    groups["created"] = created[groups["user"].to_numpy()]
    size = groups.groupby("node")["user"].transform("size")
    span = groups.groupby("node")["created"].transform("max") - groups.groupby("node")["created"].transform("min")
    groups = groups[(size >= 2) & (size <= q["max_users"]) & (span <= q["signup_days"] * DAY)]
    owner = col(graph.edges["has_account"], "user_id")
    peak = np.zeros(graph.num_nodes("user"))
    np.maximum.at(peak, owner, card_peaks(graph, cutoff, q["spike_days"]))
    t = graph.transactions
    returned = (_ms(t, "ts") < cutoff) & pc.equal(t.column("status"), "returned").to_numpy(zero_copy_only=False)
    bounced = np.zeros(len(peak), bool)
    bounced[col(t, "user_id")[returned]] = True
    users = groups["user"].to_numpy()
    out = groups.assign(spent=np.minimum(peak[users], 1.0), bounced=bounced[users]).groupby("node").agg(
        users=("user", "size"), spent=("spent", "mean"), bounced=("bounced", "mean"), first=("created", "min"),
        last=("created", "max"))
    out["together"] = 1 - (out.pop("last") - out.pop("first")) / (q["signup_days"] * DAY)
    out["flagged"] = True  # the query returns every such group
    out["suspicion"] = out["spent"] + out["bounced"] + out["together"]
    ring = _truth(graph, "bust_out", "user").reindex(groups["user"], fill_value=-1).to_numpy()
    # Per group, the ring most of its users belong to (the lowest id on a tie), if at least half of them do.
    votes = pd.DataFrame({"node": groups["node"].to_numpy(), "ring": ring}).value_counts().rename("votes").reset_index()
    best = votes.sort_values(["node", "votes", "ring"], ascending=[True, False, True]).drop_duplicates("node")
    best = best.set_index("node").reindex(out.index)
    out["ring"] = np.where(best["votes"] * 2 >= out["users"], best["ring"], -1)
    out.attrs["users"] = groups[["node", "user"]]
    return out.rename_axis("fragment")


def _majority(ring_of: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Per row, the ring owning more than half of the row's ``length`` entries, else -1 (NaN: no ring)."""
    out = np.full(len(ring_of), -1, np.int64)
    filled = np.nan_to_num(ring_of, nan=-1).astype(np.int64)
    for column in range(filled.shape[1]):
        candidate = filled[:, column]
        votes = (filled == candidate[:, None]).sum(axis=1)
        won = (candidate >= 0) & (votes * 2 > length) & (out < 0)
        out[won] = candidate[won]
    return out


SIGNALS: dict[str, Callable[[EntityGraph, int], pd.DataFrame]] = {
    "device_sharing": device_signals, "ip_recycling": ip_signals, "kiting": cycle_signals, "mule_network": mule_signals,
    "account_takeover": takeover_signals, "bust_out": bust_out_signals,
}
VERDICT = ("flagged", "suspicion", "ring", "accounts")  # columns that are not signals
SUSPICION_TERMS = 3  # every query's suspicion adds three signals in [0, 1]


def rule_scores(graph: EntityGraph, cutoff: int) -> np.ndarray:
    """Each user's score under the shipped ring queries' logic as of ``cutoff``: the highest suspicion (scaled
    to [0, 1], above 0 only when flagged) of any device, IP or cycle the queries return that they are part of."""
    score = np.zeros(graph.num_nodes("user"))
    for signals in SIGNALS.values():
        table = signals(graph, cutoff)
        if not len(table):
            continue
        members = table.attrs["users"]
        flagged = table.loc[table["flagged"].astype(bool), "suspicion"] / SUSPICION_TERMS
        hit = members[members["node"].isin(flagged.index)]
        np.maximum.at(score, hit["user"].to_numpy(), 0.01 + flagged.loc[hit["node"]].to_numpy())
    return score
