"""Stage 3: derive transactions from the TRANSFERS_TO edges.

Every transaction travels along an existing edge: legitimate ones are sampled from the edge's payment
pattern, scheduled ones (bill-splitting loops, ring activity) were planned by earlier stages. Each is
initiated by the owner of the paying account, from a device and an IP that user held at that moment
(a USES_DEVICE / USES_IP window containing the timestamp). Edges then get their aggregates.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.concurrency import run_parallel
from graphgen.graph import EntityGraph, col
from graphgen.population.payments import MONTHLY, NO_ANCHOR, POISSON
from graphgen.sampling import (DAY, HOUR, MONTH, pair_key, pick_held_edges, ranks_within, stage_rng, time_order,
                               uniform_times)

# How often people pay from their primary device / over their primary IP when another one is also live.
PRIMARY_DEVICE_SHARE = 0.75
PRIMARY_IP_SHARE = 0.6


def _sample_patterns(edges: pa.Table, opened: np.ndarray, start: int, end: int, payday_share: float,
                     rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Legitimate payments along each edge, from when both its accounts are open until the snapshot."""
    pattern = col(edges, "_pattern")
    src, dst = col(edges, "src_account_id"), col(edges, "dst_account_id")
    active_from = np.maximum(np.maximum(opened[src], opened[dst]), start)
    count = np.zeros(edges.num_rows, dtype=np.int64)

    monthly = pattern == MONTHLY
    base = start + col(edges, "_phase")  # a monthly edge pays at start + phase + k months
    jitter = 6 * HOUR
    k_lo = -((base - active_from) // MONTH)  # ceil((active_from - base) / MONTH)
    k_hi = (end - jitter - base) // MONTH
    count[monthly] = np.maximum(k_hi - k_lo + 1, 0)[monthly]

    poisson = pattern == POISSON
    days = np.maximum(end - active_from, 0) / DAY
    draws = rng.poisson(col(edges, "_rate")[poisson] * days[poisson])
    count[poisson] = np.where(days[poisson] > 0, np.maximum(draws, 1), 0)

    edge = np.repeat(np.arange(edges.num_rows), count)
    ts = np.empty(len(edge), dtype=np.int64)
    is_monthly = monthly[edge]
    e = edge[is_monthly]
    k = k_lo[e] + ranks_within(count[monthly])
    ts[is_monthly] = base[e] + k * MONTH + rng.integers(0, jitter, len(e))
    e = edge[~is_monthly]
    random_times = uniform_times(active_from[e], np.full(len(e), end), rng)
    # Payday spending: some payments on anchored edges move to within a day after that month's pay day.
    anchored = (col(edges, "_phase")[e] != NO_ANCHOR) & (rng.random(len(e)) < payday_share)
    payday = base[e] + ((random_times - base[e]) // MONTH) * MONTH + rng.integers(0, DAY, len(e))
    moved = anchored & (payday >= active_from[e]) & (payday <= end)
    ts[~is_monthly] = np.where(moved, payday, random_times)

    amount = np.exp(col(edges, "_mu")[edge] + col(edges, "_sigma")[edge] * rng.standard_normal(len(edge), dtype=np.float32))
    step = col(edges, "_round_to")[edge]
    amount = np.where(step > 0, np.maximum(np.rint(amount / np.maximum(step, 1e-9)), 1) * step, amount)
    return {"src_account_id": src[edge], "dst_account_id": dst[edge], "ts": ts, "amount": np.round(amount.astype(float), 2),
            "channel": col(edges, "_channel")[edge], "_edge": edge}


def _edge_of_pairs(edges: pa.Table, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Index of the TRANSFERS_TO edge for each (src, dst) pair; every pair must have one."""
    wanted, inverse = np.unique(pair_key(src, dst), return_inverse=True)  # few scheduled pairs
    keys = pair_key(col(edges, "src_account_id"), col(edges, "dst_account_id"))
    pos = np.minimum(np.searchsorted(wanted, keys), max(len(wanted) - 1, 0))
    hit = np.flatnonzero(wanted[pos] == keys) if len(wanted) else np.zeros(0, np.int64)
    edge_of = np.full(len(wanted), -1, dtype=np.int64)
    edge_of[pos[hit]] = hit
    edge = edge_of[inverse]
    if (edge < 0).any():
        raise RuntimeError(f"{int((edge < 0).sum())} scheduled payments have no TRANSFERS_TO edge")
    return edge


def _held(table: pa.Table, user: np.ndarray, ts: np.ndarray, forced: np.ndarray, n_users: int,
          p_primary: float, rng: np.random.Generator, what: str) -> np.ndarray:
    """USES_* edge per transaction: the forced one where given, else one the user held at ``ts``."""
    owner = col(table, "user_id")
    order = np.argsort(owner, kind="stable")  # edges come mostly grouped by user: timsort is quick
    primary = np.full(n_users, -1, dtype=np.int64)
    is_primary = col(table, "_primary")[order]
    primary[owner[order][is_primary]] = np.flatnonzero(is_primary)
    edge = forced.copy()
    free = forced < 0
    picked = pick_held_edges(user[free], ts[free], owner[order], col(table, "first_seen")[order],
                             col(table, "last_seen")[order], primary, p_primary, rng)
    if (picked < 0).any():
        raise RuntimeError(f"{int((picked < 0).sum())} transactions have no {what} held by their user")
    edge[free] = order[picked]
    return edge


def derive_transactions(graph: EntityGraph, config: GraphgenConfig, seed: int | None = None) -> EntityGraph:
    """Add the transactions to ``graph`` (in place, in time order) and aggregate them onto TRANSFERS_TO edges.

    Parameters
    ----------
    graph : EntityGraph
        Working graph from :func:`graphgen.rings.plant_rings`.
    config : GraphgenConfig
    seed : int, optional
        Random seed; defaults to ``config.seed``.
    """
    seed = config.seed if seed is None else seed
    rng = stage_rng(seed, "transactions")
    edges = graph.edges["transfers_to"]
    start, end = config.horizon_ms()
    sampled = _sample_patterns(edges, col(graph.nodes["account"], "opened_at"), start, end,
                               config.population.payday_spending_share, rng)
    scheduled = {name: col(graph.transactions, name) for name in graph.transactions.column_names}
    scheduled["_edge"] = _edge_of_pairs(edges, scheduled["src_account_id"], scheduled["dst_account_id"])
    n_sampled = len(sampled["ts"])
    rows = {k: np.concatenate([sampled.pop(k), scheduled[k]]) for k in list(sampled)}  # frees each part as it goes
    edge = rows.pop("_edge")
    # Only scheduled payments (the rows after the sampled ones) force a device or IP or belong to a ring.
    for name in ("_device_edge", "_ip_edge", "_ring"):
        rows[name] = np.full(len(rows["ts"]), -1, dtype=np.int64)
        rows[name][n_sampled:] = scheduled[name]

    # Picked in generation order, where consecutive rows mostly share a payer: lookups stay local.
    n_users = graph.nodes["user"].num_rows
    user = col(graph.nodes["account"], "_owner")[rows["src_account_id"]]
    device_edge, ip_edge, transfers, order = run_parallel(
        lambda: _held(graph.edges["uses_device"], user, rows["ts"], rows["_device_edge"], n_users,
                      PRIMARY_DEVICE_SHARE, stage_rng(seed, "transactions.device"), "device"),
        lambda: _held(graph.edges["uses_ip"], user, rows["ts"], rows["_ip_edge"], n_users,
                      PRIMARY_IP_SHARE, stage_rng(seed, "transactions.ip"), "IP"),
        lambda: _aggregate(edges, edge, rows["ts"], rows["amount"]),
        # Rows leave this stage in time order (ties at random), so their order says nothing about fraud.
        lambda: time_order(rows["ts"], start, stage_rng(seed, "transactions.order")),
    )
    graph.edges["transfers_to"] = transfers
    rows["user_id"] = user
    rows["device_id"] = col(graph.edges["uses_device"], "device_id")[device_edge]
    rows["ip_id"] = col(graph.edges["uses_ip"], "ip_id")[ip_edge]
    names = ("src_account_id", "dst_account_id", "user_id", "device_id", "ip_id", "ts", "amount", "channel", "_ring")
    columns = run_parallel(*(lambda values=rows.pop(name): values[order] for name in names))
    graph.transactions = pa.table(dict(zip(names, columns)))
    return graph


def _aggregate(edges: pa.Table, edge: np.ndarray, ts: np.ndarray, amount: np.ndarray) -> pa.Table:
    """Per-edge first/last timestamp, count and total; edges that carried no payment are dropped."""
    n = edges.num_rows
    n_txns = np.bincount(edge, minlength=n)
    total = np.round(np.bincount(edge, weights=amount, minlength=n), 2)
    order = np.argsort(edge, kind="stable")  # sampled rows come grouped by edge: nearly sorted
    used = n_txns > 0
    starts = (np.cumsum(n_txns) - n_txns)[used]
    ts_by_edge = ts[order]
    out = edges.select(["src_account_id", "dst_account_id"]).filter(pa.array(used))
    return out.append_column("first_ts", pa.array(np.minimum.reduceat(ts_by_edge, starts))) \
        .append_column("last_ts", pa.array(np.maximum.reduceat(ts_by_edge, starts))) \
        .append_column("n_txns", pa.array(n_txns[used])).append_column("total_amount", pa.array(total[used]))
