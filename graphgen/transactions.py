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
from graphgen.population.people import PERSON
from graphgen.rhythm import draw_in_profile, on_due_day, warp_days
from graphgen.vocab import CHANNEL, COMPLETED, CREDIT_CARD, RETURNED
from graphgen.sampling import (DAY, HOUR, MONTH, in_windows, pair_key, pick_held_edges, ranks_within, stage_rng, time_order,
                               uniform_times)

# How often people pay from their primary device / over their primary IP when another one is also live.
PRIMARY_DEVICE_SHARE = 0.75
PRIMARY_IP_SHARE = 0.6


def user_activity(kind: np.ndarray, pop, start: int, end: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How active each user is: ``(rate multiplier, active from, active until)``.

    People's rates are log-normal around 1 (a few pay many times more than most); some customers are dormant
    (a share of them waking up during the horizon) and some leave. Businesses are always active.
    """
    n = len(kind)
    person = kind == PERSON
    spread = pop.activity_spread
    rate = np.where(person, np.exp(spread * rng.standard_normal(n) - spread**2 / 2), 1.0)
    dormant = person & (rng.random(n) < pop.dormant_share)
    wakes = dormant & (rng.random(n) < pop.wake_share)
    active_from = np.where(dormant, end + 1, start)
    active_from = np.where(wakes, uniform_times(np.full(n, start), np.full(n, end), rng), active_from)
    leaves = person & ~dormant & (rng.random(n) < pop.leaver_share)
    active_to = np.where(leaves, uniform_times(np.full(n, start), np.full(n, end), rng), end)
    return rate, active_from, active_to


def quiet(graph: EntityGraph, user: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Whether each ``(user, ts)`` falls in a window the rings stage kept the user quiet (a sleeper)."""
    windows = graph.labels["_quiet"]
    return in_windows(user, ts, {k: col(windows, k) for k in ("user", "from", "to")}, graph.nodes["user"].num_rows)


BATCH_CHANNELS = (CHANNEL["standing_order"], CHANNEL["direct_debit"])  # run by the bank, on business days


def returned_payments(channel: np.ndarray, payee_type: np.ndarray, payer: np.ndarray, n_users: int, pop,
                      rng: np.random.Generator) -> np.ndarray:
    """Which payments bounce: bank-run payments and credit-card repayments, now and then when funds are short,
    and often for the people living payday to payday (several returns each, as a bust-out leaves)."""
    tight = rng.random(n_users) < pop.tight_budget_share
    rate = np.where(tight[payer], pop.tight_return_rate, pop.return_rate)
    eligible = np.isin(channel, BATCH_CHANNELS) | (payee_type == CREDIT_CARD)
    return eligible & (rng.random(len(channel)) < rate)


def _sample_patterns(edges: pa.Table, opened: np.ndarray, owner: np.ndarray, kind: np.ndarray, activity, start: int,
                     end: int, payday_share: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Legitimate payments along each edge, while both its accounts are open and both owners active.

    Times follow the rhythm of the edge's channel (:mod:`graphgen.rhythm`); transfers people make themselves
    follow their waking hours, those businesses make (salaries) the bank's morning run on business days.
    """
    rate, user_from, user_to = activity
    pattern = col(edges, "_pattern")
    src, dst = col(edges, "src_account_id"), col(edges, "dst_account_id")
    src_user, dst_user = owner[src], owner[dst]
    active_from = np.maximum(np.maximum(np.maximum(opened[src], opened[dst]), np.maximum(user_from[src_user], user_from[dst_user])), start)
    active_to = np.minimum(np.minimum(user_to[src_user], user_to[dst_user]), end)
    count = np.zeros(edges.num_rows, dtype=np.int64)

    monthly = pattern == MONTHLY
    base = start + col(edges, "_phase")  # a monthly edge pays at start + phase + k months
    jitter = 6 * HOUR
    k_lo = -((base - active_from) // MONTH)  # ceil((active_from - base) / MONTH)
    k_hi = (active_to - jitter - base) // MONTH
    count[monthly] = np.maximum(k_hi - k_lo + 1, 0)[monthly]

    poisson = pattern == POISSON
    days = np.maximum(active_to - active_from, 0) / DAY
    draws = rng.poisson(col(edges, "_rate")[poisson] * rate[src_user[poisson]] * days[poisson])
    # A one-off edge (a sale, a large payment) was drawn because it happens: once at least, if there is time.
    count[poisson] = np.where(days[poisson] > 0, np.maximum(draws, 1), 0)

    edge = np.repeat(np.arange(edges.num_rows), count)
    ts = np.empty(len(edge), dtype=np.int64)
    edge_channel = col(edges, "_channel")
    by_business = kind[src_user] != PERSON
    batch = np.isin(edge_channel, BATCH_CHANNELS) | ((edge_channel == CHANNEL["transfer"]) & by_business)
    profile = np.where((edge_channel == CHANNEL["transfer"]) & ~by_business, CHANNEL["p2p"], edge_channel)
    is_monthly = monthly[edge]
    e = edge[is_monthly]
    k = k_lo[e] + ranks_within(count[monthly])
    due = base[e] + k * MONTH + rng.integers(0, jitter, len(e))
    ts[is_monthly] = on_due_day(due, active_from[e], active_to[e], profile[e], batch[e], rng)
    e = edge[~is_monthly]
    random_times = draw_in_profile(active_from[e], active_to[e], profile[e], rng)
    # Payday spending: some payments on anchored edges move to the same hour the day after that month's pay day.
    anchored = (col(edges, "_phase")[e] != NO_ANCHOR) & (rng.random(len(e)) < payday_share)
    payday = base[e] + ((random_times - base[e]) // MONTH) * MONTH
    payday = payday - payday % DAY + DAY + random_times % DAY
    moved = anchored & (payday >= active_from[e]) & (payday <= active_to[e])
    ts[~is_monthly] = np.where(moved, payday, random_times)

    amount = np.exp(col(edges, "_mu")[edge] + col(edges, "_sigma")[edge] * rng.standard_normal(len(edge), dtype=np.float32))
    step = col(edges, "_round_to")[edge]
    amount = np.where(step > 0, np.maximum(np.rint(amount / np.maximum(step, 1e-9)), 1) * step, amount)
    return {"src_account_id": src[edge], "dst_account_id": dst[edge], "ts": ts, "amount": np.round(amount.astype(float), 2),
            "channel": edge_channel[edge], "_edge": edge}


def _warp_placed_times(graph: EntityGraph) -> None:
    """Give every time placed before this stage people's daily rhythm (see :func:`graphgen.rhythm.warp_days`)."""
    def warped(table: pa.Table, *names: str) -> pa.Table:
        for name in names:
            table = table.set_column(table.column_names.index(name), name, pa.array(warp_days(col(table, name))))
        return table

    graph.nodes["user"] = warped(graph.nodes["user"], "created_at")
    graph.nodes["account"] = warped(graph.nodes["account"], "opened_at")
    for name in ("uses_device", "uses_ip"):
        graph.edges[name] = warped(graph.edges[name], "first_seen", "last_seen")
    graph.transactions = warped(graph.transactions, "ts")
    graph.events = warped(graph.events, "ts")
    if "_rings" in graph.labels:
        graph.labels["_rings"] = warped(graph.labels["_rings"], "active_from", "active_to")
        graph.labels["_quiet"] = warped(graph.labels["_quiet"], "from", "to")


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


def held_edges(table: pa.Table, user: np.ndarray, ts: np.ndarray, forced: np.ndarray, n_users: int,
               p_primary: float, rng: np.random.Generator, what: str, required: bool = True) -> np.ndarray:
    """USES_* edge per row: the forced one where given, else one the user held at ``ts``; -1 where the user held
    none (an error if ``required``)."""
    owner = col(table, "user_id")
    order = np.argsort(owner, kind="stable")  # edges come mostly grouped by user: timsort is quick
    primary = np.full(n_users, -1, dtype=np.int64)
    is_primary = col(table, "_primary")[order]
    primary[owner[order][is_primary]] = np.flatnonzero(is_primary)
    edge = forced.copy()
    free = forced < 0
    picked = pick_held_edges(user[free], ts[free], owner[order], col(table, "first_seen")[order],
                             col(table, "last_seen")[order], primary, p_primary, rng)
    if required and (picked < 0).any():
        raise RuntimeError(f"{int((picked < 0).sum())} transactions have no {what} held by their user")
    edge[free] = np.where(picked >= 0, order[picked], -1)
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
    _warp_placed_times(graph)
    users, accounts = graph.nodes["user"], graph.nodes["account"]
    kind = col(users, "_kind")
    activity = user_activity(kind, config.population, start, end, stage_rng(seed, "transactions.activity"))
    sampled = _sample_patterns(edges, col(accounts, "opened_at"), col(accounts, "_owner"), kind, activity, start, end,
                               config.population.payday_spending_share, rng)
    awake = ~quiet(graph, col(accounts, "_owner")[sampled["src_account_id"]], sampled["ts"])
    sampled = {k: v[awake] for k, v in sampled.items()}
    scheduled = {name: col(graph.transactions, name) for name in graph.transactions.column_names}
    scheduled["_edge"] = _edge_of_pairs(edges, scheduled["src_account_id"], scheduled["dst_account_id"])
    n_sampled = len(sampled["ts"])
    rows = {k: np.concatenate([sampled.pop(k), scheduled[k]]) for k in list(sampled)}  # frees each part as it goes
    edge = rows.pop("_edge")
    # Only scheduled payments (the rows after the sampled ones) force a device or IP or belong to a ring.
    for name in ("_device_edge", "_ip_edge", "_ring"):
        rows[name] = np.full(len(rows["ts"]), -1, dtype=np.int64)
        rows[name][n_sampled:] = scheduled[name]
    n_users = users.num_rows
    user = col(accounts, "_owner")[rows["src_account_id"]]
    # Sampled payments bounce at random; scheduled ones carry the status they were planned with.
    bounced = returned_payments(rows["channel"][:n_sampled], col(accounts, "account_type")[rows["dst_account_id"][:n_sampled]],
                                user[:n_sampled], n_users, config.population, stage_rng(seed, "transactions.returns"))
    rows["status"] = np.concatenate([np.where(bounced, RETURNED, COMPLETED).astype(np.int8), scheduled["status"]])

    # Picked in generation order, where consecutive rows mostly share a payer: lookups stay local.
    device_edge, ip_edge, transfers, order = run_parallel(
        lambda: held_edges(graph.edges["uses_device"], user, rows["ts"], rows["_device_edge"], n_users,
                      PRIMARY_DEVICE_SHARE, stage_rng(seed, "transactions.device"), "device"),
        lambda: held_edges(graph.edges["uses_ip"], user, rows["ts"], rows["_ip_edge"], n_users,
                      PRIMARY_IP_SHARE, stage_rng(seed, "transactions.ip"), "IP"),
        lambda: _aggregate(edges, edge, rows["ts"], np.where(rows["status"] == COMPLETED, rows["amount"], 0.0)),
        # Rows leave this stage in time order (ties at random), so their order says nothing about fraud.
        lambda: time_order(rows["ts"], start, stage_rng(seed, "transactions.order")),
    )
    graph.edges["transfers_to"] = transfers
    rows["user_id"] = user
    rows["device_id"] = col(graph.edges["uses_device"], "device_id")[device_edge]
    rows["ip_id"] = col(graph.edges["uses_ip"], "ip_id")[ip_edge]
    names = ("src_account_id", "dst_account_id", "user_id", "device_id", "ip_id", "ts", "amount", "channel", "status", "_ring")
    columns = run_parallel(*(lambda values=rows.pop(name): values[order] for name in names))
    graph.transactions = pa.table(dict(zip(names, columns)))
    return graph


def _aggregate(edges: pa.Table, edge: np.ndarray, ts: np.ndarray, amount: np.ndarray) -> pa.Table:
    """Per-edge first/last timestamp, count of payments and total ``amount`` (what moved: returned payments
    count as 0); edges that carried no payment are dropped."""
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
