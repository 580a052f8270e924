"""Point-in-time features: everything is computed from what happened strictly before a cutoff.

``raw_*`` features describe the user alone: their own attributes and their own transactions.
``graph_*`` features describe where the user sits in the graph: how many devices and IPs, how many others
share them and when, who else those co-users are, how money around their accounts flows (strongly
connected components, repeated cycles), and the size of the cluster they belong to. Ids, ring ids and
anything derived from labels are never features.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from graphgen import schema
from graphgen.graph import EntityGraph, col
from graphgen.sampling import DAY, HOUR, pair_key, pair_parts, ranks_within, starts_of_runs
from graphgen.vocab import SEGMENTS

IDENTITY_EDGES = ("has_phone", "lives_at")  # users to the phone numbers and postal addresses they give
SHARED_NODE_MAX_USERS = 50  # devices and IPs with more users than this are public: they link strangers
CLUSTER_IP_TYPES = ("residential", "hosting")


def _codes(column: pa.ChunkedArray, names: tuple[str, ...]) -> np.ndarray:
    return pc.index_in(column, value_set=pa.array(names)).to_numpy(zero_copy_only=False)


@dataclass
class GraphArrays:
    """The columns feature computation needs, as numpy arrays, read once per graph."""

    graph: EntityGraph

    @cached_property
    def n_users(self) -> int:
        return self.graph.num_nodes("user")

    @cached_property
    def created(self) -> np.ndarray:
        return col(self.graph.nodes["user"], "created_at")

    @cached_property
    def segment(self) -> np.ndarray:
        return _codes(self.graph.nodes["user"].column("segment"), SEGMENTS)

    @cached_property
    def owner(self) -> np.ndarray:  # account id -> user id (has_account is sorted by account id)
        return col(self.graph.edges["has_account"], "user_id")

    @cached_property
    def opened(self) -> np.ndarray:
        return col(self.graph.nodes["account"], "opened_at")

    @cached_property
    def txns(self) -> dict[str, np.ndarray]:
        t = self.graph.transactions
        return {
            "ts": col(t, "ts"), "src": col(t, "src_account_id"), "dst": col(t, "dst_account_id"),
            "payer": col(t, "user_id"), "amount": col(t, "amount"), "device": col(t, "device_id"), "ip": col(t, "ip_id"),
            "instant": pc.equal(t.column("channel"), "instant").to_numpy(zero_copy_only=False),
            "p2p": pc.equal(t.column("channel"), "p2p").to_numpy(zero_copy_only=False),
            "returned": pc.equal(t.column("status"), "returned").to_numpy(zero_copy_only=False),
        }

    @cached_property
    def credit_limit(self) -> np.ndarray:  # per account; 0 for accounts that are not credit cards
        return self.graph.nodes["account"].column("credit_limit").fill_null(0).to_numpy()

    def identity_links(self, edge: str) -> tuple[np.ndarray, np.ndarray]:
        """``(user, fragment)`` of an edge of :data:`IDENTITY_EDGES`: the phone or address each user gives."""
        spec = schema.EDGES[edge]
        table = self.graph.edges[edge]
        return col(table, spec.src_column), col(table, spec.dst_column)

    @cached_property
    def events(self) -> dict[str, np.ndarray]:
        e = self.graph.events
        kind = e.column("event_type")
        return {"ts": col(e, "ts"), "user": col(e, "user_id"),
                "login": pc.equal(kind, "login").to_numpy(zero_copy_only=False),
                "change": pc.is_in(kind, value_set=pa.array(["email_change", "phone_change", "address_change"])).to_numpy(zero_copy_only=False),
                "payee": pc.equal(kind, "payee_added").to_numpy(zero_copy_only=False)}

    def events_before(self, cutoff: int) -> dict[str, np.ndarray]:
        """Events strictly before the cutoff (events are stored in time order)."""
        n = int(np.searchsorted(self.events["ts"], cutoff, side="left"))
        return {k: v[:n] for k, v in self.events.items()}

    def before(self, cutoff: int) -> dict[str, np.ndarray]:
        """Transactions strictly before the cutoff (transactions are stored in time order)."""
        n = int(np.searchsorted(self.txns["ts"], cutoff, side="left"))
        return {k: v[:n] for k, v in self.txns.items()}

    def links(self, name: str, cutoff: int) -> dict[str, np.ndarray]:
        """USES_DEVICE / USES_IP rows started before the cutoff, windows cut at the cutoff."""
        table = self.graph.edges[name]
        first = col(table, "first_seen")
        keep = first < cutoff
        target = "device_id" if name == "uses_device" else "ip_id"
        return {"user": col(table, "user_id")[keep], "node": col(table, target)[keep], "first": first[keep],
                "last": np.minimum(col(table, "last_seen")[keep], cutoff)}

    @cached_property
    def ip_attributes(self) -> dict[str, np.ndarray]:
        ips = self.graph.nodes["ip"]
        return {"hosting": col(ips, "is_hosting"), "vpn": col(ips, "is_vpn"),
                "clusters": pc.is_in(ips.column("connection_type"), value_set=pa.array(CLUSTER_IP_TYPES)).to_numpy(zero_copy_only=False)}


def _per_user_max(n: int, user: np.ndarray, values: np.ndarray, empty: float = 0.0) -> np.ndarray:
    out = np.full(n, -np.inf)
    np.maximum.at(out, user, values)
    return np.where(np.isneginf(out), empty, out)


def _per_user_mean(n: int, user: np.ndarray, values: np.ndarray) -> np.ndarray:
    count = np.bincount(user, minlength=n)
    return np.bincount(user, weights=values, minlength=n) / np.maximum(count, 1)


def _group_time_key(group: np.ndarray, time: np.ndarray, origin: int, span: int) -> np.ndarray:
    """int64 keys ordered by (group, time) for times in ``[origin, origin + span)``."""
    return group.astype(np.int64) * np.int64(span) + (time - origin)


def _within_window_counts(group: np.ndarray, time: np.ndarray, width: int) -> np.ndarray:
    """For each row, how many rows of its group have a time within ``width`` either side."""
    origin = int(time.min(initial=0)) - width
    span = int(time.max(initial=0)) - origin + 2 * width + 1
    key = _group_time_key(group, time, origin, span)
    ordered = np.sort(key)
    return np.searchsorted(ordered, key + width, side="right") - np.searchsorted(ordered, key - width, side="left")


def _concurrent_counts(group: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """For each window, how many other windows of its group overlap it."""
    origin = int(first.min(initial=0))
    span = int(last.max(initial=0)) - origin + 1
    firsts = np.sort(_group_time_key(group, first, origin, span))
    lasts = np.sort(_group_time_key(group, last, origin, span))
    starting_by_my_end = np.searchsorted(firsts, _group_time_key(group, last, origin, span), side="right")
    ended_before_my_start = np.searchsorted(lasts, _group_time_key(group, first, origin, span), side="left")
    return starting_by_my_end - ended_before_my_start - 1


def pairs_within_groups(group: np.ndarray, member: np.ndarray, max_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All ordered pairs of distinct members sharing a group of at most ``max_size`` members, with the group:
    ``(member, other member, group)``."""
    order = np.argsort(group, kind="stable")
    g, m = group[order], member[order]
    starts = np.flatnonzero(starts_of_runs(g))
    sizes = np.diff(np.r_[starts, len(g)])
    small = sizes <= max_size
    starts, sizes = starts[small], sizes[small]
    left = np.repeat(np.repeat(starts, sizes) + ranks_within(sizes), np.repeat(sizes, sizes))
    right = np.repeat(starts, sizes * sizes) + ranks_within(np.repeat(sizes, sizes))
    keep = left != right
    return m[left[keep]], m[right[keep]], g[left[keep]]


def card_peaks(graph: EntityGraph, cutoff: int, days: float) -> np.ndarray:
    """Per account, the most it spent as a credit card within ``days`` (completed payments before ``cutoff``),
    as a share of its limit (0 for other accounts)."""
    accounts = graph.nodes["account"]
    limit = accounts.column("credit_limit").fill_null(0).to_numpy()
    t = graph.transactions
    ts, src = col(t, "ts"), col(t, "src_account_id")
    keep = (ts < cutoff) & (limit[src] > 0) & pc.equal(t.column("status"), "completed").to_numpy(zero_copy_only=False)
    src, ts, amount = src[keep], ts[keep], col(t, "amount")[keep]
    width = int(days * DAY)
    origin = int(ts.min(initial=0))
    key = _group_time_key(src, ts, origin, int(ts.max(initial=0)) - origin + width + 1)  # one time line per account
    order = np.argsort(key, kind="stable")
    key, amount, src = key[order], amount[order], src[order]
    total = np.concatenate([[0.0], np.cumsum(amount)])
    window = total[np.searchsorted(key, key + width, side="left")] - total[:-1]
    peak = np.zeros(accounts.num_rows)
    np.maximum.at(peak, src, window)
    return np.divide(peak, limit, out=np.zeros_like(peak), where=limit > 0)


def user_features(arrays: GraphArrays, cutoff: int) -> dict[str, np.ndarray]:
    """Raw and graph features of every user as of ``cutoff`` (users created later get meaningless rows)."""
    n = arrays.n_users
    f: dict[str, np.ndarray] = {}

    # -- raw: the user's own attributes -----------------------------------------------------------------
    f["raw_age_days"] = (cutoff - arrays.created) / DAY
    for i, name in enumerate(SEGMENTS):
        f[f"raw_segment_{name}"] = (arrays.segment == i).astype(float)
    open_before = arrays.opened < cutoff
    owners = arrays.owner[open_before]
    f["raw_accounts"] = np.bincount(owners, minlength=n).astype(float)
    f["raw_newest_account_days"] = (cutoff - _per_user_max(n, owners, arrays.opened[open_before].astype(float), cutoff)) / DAY

    # -- raw: the user's own transactions ---------------------------------------------------------------
    t = arrays.before(cutoff)
    payer, payee = t["payer"], arrays.owner[t["dst"]]
    amount = t["amount"]
    recent = t["ts"] >= cutoff - 7 * DAY
    for side, who in (("out", payer), ("in", payee)):
        count = np.bincount(who, minlength=n)
        f[f"raw_n_{side}"] = count.astype(float)
        f[f"raw_log_sum_{side}"] = np.log1p(np.bincount(who, weights=amount, minlength=n))
        f[f"raw_mean_{side}"] = np.bincount(who, weights=amount, minlength=n) / np.maximum(count, 1)
        f[f"raw_max_{side}"] = _per_user_max(n, who, amount)
        f[f"raw_n_{side}_7d"] = np.bincount(who[recent], minlength=n).astype(float)
        f[f"raw_instant_share_{side}"] = np.bincount(who, weights=t["instant"], minlength=n) / np.maximum(count, 1)
        f[f"raw_p2p_share_{side}"] = np.bincount(who, weights=t["p2p"], minlength=n) / np.maximum(count, 1)
        f[f"raw_days_since_{side}"] = (cutoff - _per_user_max(n, who, t["ts"].astype(float), -np.inf)) / DAY
        f[f"raw_days_since_{side}"] = np.minimum(f[f"raw_days_since_{side}"], 3650.0)
    payees, _ = pair_parts(np.unique(pair_key(payer, t["dst"])))
    f["raw_payees"] = np.bincount(payees, minlength=n).astype(float)
    payers, _ = pair_parts(np.unique(pair_key(payee, t["src"])))
    f["raw_payers"] = np.bincount(payers, minlength=n).astype(float)
    f["raw_returned"] = np.bincount(payer[t["returned"]], minlength=n).astype(float)
    cards = open_before & (arrays.credit_limit > 0)
    f["raw_credit_limit"] = np.bincount(arrays.owner[cards], weights=arrays.credit_limit[cards], minlength=n)
    f["raw_card_peak_7d"] = _per_user_max(n, arrays.owner, card_peaks(arrays.graph, cutoff, 7))
    f["raw_round_share_out"] = _per_user_mean(n, payer, (np.round(amount * 100) % 1000 == 0).astype(float))
    f["raw_night_share_out"] = _per_user_mean(n, payer, ((t["ts"] // HOUR) % 24 < 6).astype(float))
    # Pass-through: outgoing payments made within a day of money coming in (what mules do; also rent day).
    origin = int(t["ts"].min(initial=0))
    span = int(t["ts"].max(initial=0)) - origin + 1
    incoming = np.sort(_group_time_key(payee, t["ts"], origin, span))
    out_key = _group_time_key(payer, t["ts"], origin, span)
    latest = np.searchsorted(incoming, out_key, side="right") - 1  # the last money in, at or before
    same = (latest >= 0) & (incoming[np.maximum(latest, 0)] // span == payer)
    gap = np.full(len(out_key), np.inf)
    gap[same] = out_key[same] - incoming[latest[same]]
    f["raw_fast_out_share"] = _per_user_mean(n, payer, (gap <= DAY).astype(float))

    # -- raw: the user's own online banking: logins, identity changes, new payees ------------------------
    e = arrays.events_before(cutoff)
    for name, kind, days in (("logins_7d", "login", 7), ("changes_3d", "change", 3), ("changes", "change", None),
                             ("new_payees_1d", "payee", 1), ("new_payees_7d", "payee", 7)):
        mine = e[kind] & (e["ts"] >= cutoff - days * DAY) if days else e[kind]
        f[f"raw_{name}"] = np.bincount(e["user"][mine], minlength=n).astype(float)
    dev = arrays.links("uses_device", cutoff)
    f["raw_new_devices_7d"] = np.bincount(dev["user"][dev["first"] >= cutoff - 7 * DAY], minlength=n).astype(float)

    # -- graph: devices and IPs -------------------------------------------------------------------------
    f["graph_devices"] = np.bincount(dev["user"], minlength=n).astype(float)
    sharers = np.bincount(dev["node"], minlength=arrays.graph.num_nodes("device"))[dev["node"]] - 1
    f["graph_device_sharers_max"] = _per_user_max(n, dev["user"], sharers.astype(float))
    f["graph_device_sharers_mean"] = _per_user_mean(n, dev["user"], sharers.astype(float))
    burst = _within_window_counts(dev["node"], dev["first"], 7 * DAY) - 1
    f["graph_device_burst_max"] = _per_user_max(n, dev["user"], burst.astype(float))

    ip = arrays.links("uses_ip", cutoff)
    attrs = arrays.ip_attributes
    f["graph_ips"] = np.bincount(ip["user"], minlength=n).astype(float)
    f["graph_hosting_ips"] = np.bincount(ip["user"], weights=attrs["hosting"][ip["node"]], minlength=n)
    f["graph_vpn_ips"] = np.bincount(ip["user"], weights=attrs["vpn"][ip["node"]], minlength=n)
    ip_users = np.bincount(ip["node"], minlength=arrays.graph.num_nodes("ip"))[ip["node"]] - 1
    f["graph_ip_sharers_max"] = _per_user_max(n, ip["user"], ip_users.astype(float))
    f["graph_ip_sharers_mean"] = _per_user_mean(n, ip["user"], ip_users.astype(float))
    concurrent = _concurrent_counts(ip["node"], ip["first"], ip["last"])
    successive = (ip_users > 0) & (concurrent == 0)  # others used it, but never at the same time
    f["graph_ips_successive"] = np.bincount(ip["user"], weights=successive, minlength=n)

    # -- graph: identity fragments (phone, address) given by others, and how close together they signed up -
    known = arrays.created < cutoff
    fragment_user, fragment_node = [], []
    for kind, edge in enumerate(IDENTITY_EDGES):
        user, node = arrays.identity_links(edge)
        user, node = user[known[user]], node[known[user]]
        sharing = np.bincount(node)[node] - 1
        f[f"graph_{schema.EDGES[edge].dst_node}_sharers"] = _per_user_max(n, user, sharing.astype(float))
        fragment_user.append(user)
        fragment_node.append(node * 3 + kind)
    fragment_user.append(dev["user"])
    fragment_node.append(dev["node"] * 3 + 2)
    a, b, _ = pairs_within_groups(np.concatenate(fragment_node), np.concatenate(fragment_user), SHARED_NODE_MAX_USERS)
    gap = np.abs(arrays.created[a] - arrays.created[b]) / DAY
    f["graph_sharer_signup_gap_days"] = np.minimum(_per_user_max(n, a, -gap, -3650.0) * -1, 3650.0)

    # -- graph: who the co-users are (one hop through small shared devices and IPs) ----------------------
    nodes = np.concatenate([dev["node"], ip["node"] + arrays.graph.num_nodes("device")])
    users = np.concatenate([dev["user"], ip["user"]])
    a, b, _ = pairs_within_groups(nodes, users, SHARED_NODE_MAX_USERS)
    a, b = pair_parts(np.unique(pair_key(a, b)))
    f["graph_co_users"] = np.bincount(a, minlength=n).astype(float)
    f["graph_co_users_new_share"] = _per_user_mean(n, a, (f["raw_age_days"][b] < 30).astype(float))
    f["graph_co_users_mean_age_days"] = _per_user_mean(n, a, f["raw_age_days"][b])
    f["graph_co_users_fast_out_share"] = _per_user_mean(n, a, f["raw_fast_out_share"][b])

    # -- graph: the cluster of users tied by small shared devices and residential/hosting IPs ------------
    cluster_ip = attrs["clusters"][ip["node"]]
    link_user = np.concatenate([dev["user"], ip["user"][cluster_ip]])
    link_node = np.concatenate([dev["node"], ip["node"][cluster_ip] + arrays.graph.num_nodes("device")])
    size_of_node = np.bincount(link_node, minlength=arrays.graph.num_nodes("device") + arrays.graph.num_nodes("ip"))
    small = size_of_node[link_node] <= SHARED_NODE_MAX_USERS
    g = ig.Graph(n=n + len(size_of_node), edges=np.column_stack([link_user[small], n + link_node[small]]))
    membership = np.asarray(g.connected_components().membership)
    users_per_component = np.bincount(membership[:n])
    f["graph_cluster_users"] = users_per_component[membership[:n]].astype(float)

    # -- graph: money (accounts as of the cutoff) ---------------------------------------------------------
    n_acc = arrays.graph.num_nodes("account")
    edge_key, counts = np.unique(pair_key(t["src"], t["dst"]), return_counts=True)
    src, dst = pair_parts(edge_key)
    in_degree = np.bincount(dst, minlength=n_acc)
    f["graph_account_payers_max"] = _per_user_max(n, arrays.owner, in_degree.astype(float))
    f["graph_payee_payers_max"] = _per_user_max(n, arrays.owner[src], in_degree[dst].astype(float))
    for name, keep in (("graph_money_scc_max", np.ones(len(src), bool)), ("graph_repeat_scc_max", counts >= 2)):
        money = ig.Graph(n=n_acc, edges=np.column_stack([src[keep], dst[keep]]), directed=True)
        scc = np.asarray(money.connected_components(mode="strong").membership)
        size = np.bincount(scc)[scc]
        f[name] = _per_user_max(n, arrays.owner, size.astype(float))
    return f


def feature_groups(features: dict[str, np.ndarray]) -> dict[str, list[str]]:
    return {"raw": [k for k in features if k.startswith("raw_")], "graph": [k for k in features if k.startswith("graph_")]}
