"""Stage 4: derive what customers do in online banking besides paying (``events.parquet``).

* **Logins.** Every session of payments a person makes themselves (person-to-person, instant, transfer, wire;
  payments less than :data:`SESSION_GAP` apart from one device) opens with a login on that payment's device
  and IP, minutes before its first payment. People also log in without paying (checking a balance),
  ``population.logins_per_month`` times their activity.
* **Identity changes** (e-mail, phone, address) at their yearly rates; a share of phone and e-mail changes
  follow the arrival of a new device by hours to days (a new phone, a new number): the legitimate look-alike
  of an account takeover.
* **Payees.** A person adds a payee before the first payment to an account they do not own: minutes before it
  in the same session (``population.payee_added_in_session_share``), else some time after both could first
  have known each other (a share of them from a new device in its first days, as for identity changes). Adds before the horizon are not recorded, so long-standing payees do not look new.
  Some people add several payees in one sitting (``decoys.payee_burst_share``: a new job, a flat-share).

Events planted by earlier stages (ring logins, identity changes and payee bursts) are kept as they were placed.
Every event's device and IP is one its user held at that moment, as for transactions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen.concurrency import run_parallel
from graphgen.config import GraphgenConfig
from graphgen.graph import EntityGraph, col
from graphgen.population.people import PERSON
from graphgen.sampling import DAY, HOUR, MINUTE, MONTH, pair_key, stage_rng, time_order, uniform_times
from graphgen.rhythm import draw_in_profile
from graphgen.transactions import PRIMARY_DEVICE_SHARE, PRIMARY_IP_SHARE, held_edges, quiet, user_activity
from graphgen.vocab import CHANNEL, EVENT

SESSION_GAP = 30 * MINUTE  # payments further apart than this belong to separate sessions
LOGIN_BEFORE_MINUTES = (0.2, 5.0)  # a session's login precedes its first payment by this
PAYEE_BEFORE_MINUTES = (0.5, 15.0)  # a payee added in the paying session precedes the payment by this
CHANGE_AFTER_NEW_DEVICE_HOURS = (0.5, 96.0)
NEW_DEVICE_AFTER_SIGN_UP = DAY  # a device first seen this long after sign-up is a new device, not the first one
SELF_INITIATED = tuple(CHANNEL[c] for c in ("transfer", "p2p", "instant", "wire"))
PAYEE_CHANNELS = (*SELF_INITIATED, CHANNEL["standing_order"])  # a payee is set up for these (not card, direct debit)
YEAR_DAYS = 365.25

_COLUMNS = ("user_id", "device_id", "ip_id", "ts", "event_type", "payee_account_id", "_ring")


def derive_events(graph: EntityGraph, config: GraphgenConfig, seed: int | None = None) -> EntityGraph:
    """Replace the scheduled events of ``graph`` (in place) by every event, in time order; returns ``graph``.

    Parameters
    ----------
    graph : EntityGraph
        Working graph from :func:`graphgen.transactions.derive_transactions`.
    config : GraphgenConfig
    seed : int, optional
        Random seed; defaults to ``config.seed``.
    """
    seed = config.seed if seed is None else seed
    rng = stage_rng(seed, "events")
    start, end = config.horizon_ms()
    users = graph.nodes["user"]
    kind = col(users, "_kind")
    # The same activity the transactions stage drew (same stream): dormant people neither pay nor log in.
    activity = user_activity(kind, config.population, start, end, stage_rng(seed, "transactions.activity"))
    txns = graph.transactions
    by_person = kind[col(txns, "user_id")] == PERSON
    channel = col(txns, "channel")
    paying = np.flatnonzero(np.isin(channel, SELF_INITIATED) & by_person)

    newest = _newest_devices(graph.edges["uses_device"], col(users, "created_at"), start)
    placed = _placed(graph, config, activity, newest, start, end, rng)  # rows whose device and IP are picked below
    payees, payees_placed = _payees(graph, config, np.flatnonzero(np.isin(channel, PAYEE_CHANNELS) & by_person),
                                    placed, newest, start, rng)
    placed = {k: np.concatenate([placed[k], payees_placed[k]]) for k in placed}
    n_users = users.num_rows
    device_edge = held_edges(graph.edges["uses_device"], placed["user_id"], placed["ts"], placed.pop("_device_edge"),
                             n_users, PRIMARY_DEVICE_SHARE, stage_rng(seed, "events.device"), "device", required=False)
    ip_edge = held_edges(graph.edges["uses_ip"], placed["user_id"], placed["ts"], placed.pop("_ip_edge"),
                         n_users, PRIMARY_IP_SHARE, stage_rng(seed, "events.ip"), "IP", required=False)
    held = (device_edge >= 0) & (ip_edge >= 0)  # a moment the user held no device or IP has no event
    placed, device_edge, ip_edge = {k: v[held] for k, v in placed.items()}, device_edge[held], ip_edge[held]
    placed["device_id"] = col(graph.edges["uses_device"], "device_id")[device_edge]
    placed["ip_id"] = col(graph.edges["uses_ip"], "ip_id")[ip_edge]

    parts = [_session_logins(graph, paying, start, rng), payees, placed]
    rows = {k: np.concatenate([p.pop(k) for p in parts]) for k in _COLUMNS}  # frees each part as it goes
    order = time_order(rows["ts"], min(start, int(rows["ts"].min(initial=start))), rng)
    columns = run_parallel(*(lambda values=rows.pop(k): values[order] for k in _COLUMNS))
    graph.events = pa.table(dict(zip(_COLUMNS, columns)))
    return graph


def _held_since(graph: EntityGraph, user: np.ndarray, device: np.ndarray, ip: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Since when each user has held, without a break, the device and the IP they paid through at ``ts``: an event
    on that payment's device and IP moved before the payment must not go back past this."""
    since = np.full(len(ts), np.iinfo(np.int64).min)
    for name, target in (("uses_device", device), ("uses_ip", ip)):
        links = graph.edges[name]
        key = pair_key(col(links, "user_id"), col(links, name.replace("uses_", "") + "_id"))
        first = col(links, "first_seen")
        keys, rank = np.unique(key, return_inverse=True)
        origin = int(first.min(initial=0))
        shift = max(int(np.max(first - origin, initial=0)).bit_length(), 1)
        windows = np.sort((rank.astype(np.int64) << shift) | (first - origin))
        wanted = np.searchsorted(keys, pair_key(user, target))  # every payment's pair has a window
        at = np.searchsorted(windows, (wanted.astype(np.int64) << shift) | np.clip(ts - origin, 0, (1 << shift) - 1),
                             side="right") - 1
        since = np.maximum(since, (windows[at] & ((1 << shift) - 1)) + origin)
    return since


def _session_logins(graph: EntityGraph, paying: np.ndarray, start: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One login minutes before the first payment of each session (one device and IP), on its device and IP."""
    txns = graph.transactions
    user, ts, device, ip = (col(txns, c)[paying] for c in ("user_id", "ts", "device_id", "ip_id"))
    order = np.argsort(user, kind="stable")  # transactions are in time order: this is (user, time) order
    user, ts, device, ip = user[order], ts[order], device[order], ip[order]
    first = np.ones(len(user), bool)
    first[1:] = ((user[1:] != user[:-1]) | (device[1:] != device[:-1]) | (ip[1:] != ip[:-1])
                 | (ts[1:] - ts[:-1] > SESSION_GAP))
    row = paying[order[first]]
    n = len(row)
    before = (rng.uniform(*LOGIN_BEFORE_MINUTES, n) * MINUTE).astype(np.int64)
    user, device, ip, ts = (col(txns, c)[row] for c in ("user_id", "device_id", "ip_id", "ts"))
    since = np.maximum(_held_since(graph, user, device, ip, ts), start)
    return {"user_id": user, "device_id": device, "ip_id": ip, "ts": np.maximum(ts - before, since), "event_type": np.full(n, EVENT["login"], np.int8),
            "payee_account_id": np.full(n, -1, np.int64), "_ring": col(txns, "_ring")[row]}


def _placed(graph: EntityGraph, config: GraphgenConfig, activity, newest: np.ndarray, start: int, end: int,
            rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Scheduled events, logins without a payment and identity changes; device and IP still to pick
    (``_device_edge`` / ``_ip_edge`` -1 unless forced)."""
    pop = config.population
    users = graph.nodes["user"]
    rate, active_from, active_to = activity
    created = col(users, "created_at")
    person = np.flatnonzero(col(users, "_kind") == PERSON)
    low = np.maximum(np.maximum(active_from, created), start)[person]
    high = active_to[person]
    months = np.maximum(high - low, 0) / MONTH
    parts = [{c: col(graph.events, c) for c in graph.events.column_names}]

    def at_random(count: np.ndarray, event_type: int) -> dict[str, np.ndarray]:
        who = np.repeat(np.arange(len(person)), count)
        n = len(who)
        return {"user_id": person[who], "ts": draw_in_profile(low[who], high[who], np.full(n, CHANNEL["p2p"]), rng),
                "event_type": np.full(n, event_type, np.int8), "payee_account_id": np.full(n, -1, np.int64),
                "_device_edge": np.full(n, -1, np.int64), "_ip_edge": np.full(n, -1, np.int64), "_ring": np.full(n, -1, np.int64)}

    parts.append(at_random(rng.poisson(pop.logins_per_month * rate[person] * months), EVENT["login"]))
    years = months * MONTH / (YEAR_DAYS * DAY)
    for name, per_year in (("email_change", pop.email_changes_per_year), ("phone_change", pop.phone_changes_per_year),
                           ("address_change", pop.address_changes_per_year)):
        changes = at_random(rng.poisson(per_year * years), EVENT[name])
        if name != "address_change":
            _after_new_device(changes, graph.edges["uses_device"], newest, end, pop.change_on_new_device_share, rng)
        parts.append(changes)
    parts.append(_new_numbers(graph.edges["uses_device"], newest, end, pop.new_number_share, rng))
    rows = {k: np.concatenate([p[k] for p in parts[1:]]) for k in parts[0]}
    awake = ~quiet(graph, rows["user_id"], rows["ts"])  # sleepers neither pay nor log in
    return {k: np.concatenate([parts[0][k], v[awake]]) for k, v in rows.items()}


def _newest_devices(links: pa.Table, created: np.ndarray, start: int) -> np.ndarray:
    """Per user, their newest USES_DEVICE edge first used during the horizon past their first days (-1: none)."""
    owner, first = col(links, "user_id"), col(links, "first_seen")
    new = np.flatnonzero((first >= start) & (first > created[owner] + NEW_DEVICE_AFTER_SIGN_UP))
    new = new[np.lexsort((first[new], owner[new]))]
    latest = np.append(owner[new][1:] != owner[new][:-1], True)[:len(new)]
    newest = np.full(len(created), -1, np.int64)
    newest[owner[new[latest]]] = new[latest]
    return newest


def _new_numbers(links: pa.Table, newest: np.ndarray, end: int, share: float,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Phone changes of a ``share`` of the people who got a new device (``newest``, from :func:`_newest_devices`): a
    new phone with a new number."""
    who = np.flatnonzero(newest >= 0)
    who = who[rng.random(len(who)) < share]
    edge = newest[who]
    ts = col(links, "first_seen")[edge] + (rng.uniform(*CHANGE_AFTER_NEW_DEVICE_HOURS, len(who)) * HOUR).astype(np.int64)
    ok = ts <= np.minimum(col(links, "last_seen")[edge], end)
    n = int(ok.sum())
    return {"user_id": who[ok], "ts": ts[ok], "event_type": np.full(n, EVENT["phone_change"], np.int8),
            "payee_account_id": np.full(n, -1, np.int64), "_device_edge": edge[ok], "_ip_edge": np.full(n, -1, np.int64),
            "_ring": np.full(n, -1, np.int64)}


def _after_new_device(rows: dict[str, np.ndarray], links: pa.Table, newest: np.ndarray, end: int, share: float,
                      rng: np.random.Generator, before: np.ndarray | None = None) -> None:
    """Move a ``share`` of the rows of people who got a new device during the horizon (``newest``, from
    :func:`_newest_devices`) to hours or days after its first use, made from it (in place; never to ``before`` or
    later)."""
    first, last = col(links, "first_seen"), col(links, "last_seen")
    edge = newest[rows["user_id"]]
    moved = np.flatnonzero((edge >= 0) & (rng.random(len(edge)) < share))
    e = edge[moved]
    ts = first[e] + (rng.uniform(*CHANGE_AFTER_NEW_DEVICE_HOURS, len(e)) * HOUR).astype(np.int64)
    ok = ts <= np.minimum(last[e], end)
    if before is not None:
        ok &= ts < before[moved]
    rows["ts"][moved[ok]] = ts[ok]
    rows["_device_edge"][moved[ok]] = e[ok]


def _payees(graph: EntityGraph, config: GraphgenConfig, paying: np.ndarray, placed: dict[str, np.ndarray],
            newest: np.ndarray, start: int, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Payee additions before each first payment to another's account: ``(on the payment's device and IP,
    device and IP still to pick)``."""
    txns, accounts = graph.transactions, graph.nodes["account"]
    owner, opened = col(accounts, "_owner"), col(accounts, "opened_at")
    user, dst = col(txns, "user_id")[paying], col(txns, "dst_account_id")[paying]
    key = pair_key(user, dst)
    _, first = np.unique(key, return_index=True)  # rows are in time order: the first payment of each pair
    first = first[owner[dst[first]] != user[first]]
    already = placed["event_type"] == EVENT["payee_added"]  # payees a ring added itself
    first = first[~np.isin(key[first], pair_key(placed["user_id"][already], placed["payee_account_id"][already]))]
    row = paying[first]
    n = len(row)
    payer, payee, paid_at = col(txns, "user_id")[row], col(txns, "dst_account_id")[row], col(txns, "ts")[row]
    # The two first had to do with each other some time after both could: before the horizon for most old pairs,
    # whose payee was added then (not recorded); pairs that met during it add the payee then, or when first paying.
    earliest = np.maximum(col(graph.nodes["user"], "created_at")[payer], opened[payee])
    met = uniform_times(earliest, paid_at, rng)
    latest = paid_at - int(PAYEE_BEFORE_MINUTES[1] * MINUTE)
    in_session = (rng.random(n) < config.population.payee_added_in_session_share) | (latest <= met)
    ts = np.where(in_session, paid_at - (rng.uniform(*PAYEE_BEFORE_MINUTES, n) * MINUTE).astype(np.int64), met)
    recorded = (met >= start) & (ts >= start)
    burst, ts[burst] = _bursts(payer, ts, paid_at, recorded, config.decoys, rng)
    in_session &= recorded & ~burst
    later = recorded & ~in_session
    r, m = row[in_session], int(in_session.sum())
    device, ip = col(txns, "device_id")[r], col(txns, "ip_id")[r]
    held_from = _held_since(graph, payer[in_session], device, ip, paid_at[in_session])
    same_session = {"user_id": payer[in_session], "device_id": device, "ip_id": ip,
                    "ts": np.maximum(ts[in_session], held_from), "event_type": np.full(m, EVENT["payee_added"], np.int8),
                    "payee_account_id": payee[in_session], "_ring": col(txns, "_ring")[r]}
    m = int(later.sum())
    earlier = {"user_id": payer[later], "ts": ts[later], "event_type": np.full(m, EVENT["payee_added"], np.int8),
               "payee_account_id": payee[later], "_device_edge": np.full(m, -1, np.int64),
               "_ip_edge": np.full(m, -1, np.int64), "_ring": col(txns, "_ring")[row[later]]}
    # Payees set up on a new phone or laptop in its first days: what a takeover looks like, done by the owner.
    _after_new_device(earlier, graph.edges["uses_device"], newest, config.horizon_ms()[1],
                      config.population.change_on_new_device_share, rng, before=paid_at[later])
    return same_session, earlier


def _bursts(payer: np.ndarray, ts: np.ndarray, paid_at: np.ndarray, recorded: np.ndarray, decoys,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The people who add their payees in one sitting: a ``payee_burst_share`` of those with 2+ recorded adds.
    Returns which adds move into the sitting (those whose first payment comes after it) and their new times,
    within ``payee_burst_minutes`` of the person's earliest add."""
    people, count = np.unique(payer[recorded], return_counts=True)
    chosen = people[(count >= 2) & (rng.random(len(people)) < decoys.payee_burst_share)]
    mine = recorded & np.isin(payer, chosen)
    sitting = np.full(payer.max(initial=0) + 1, np.iinfo(np.int64).max)
    np.minimum.at(sitting, payer[mine], ts[mine])
    moved = mine & (paid_at > sitting[payer] + int(decoys.payee_burst_minutes.high * MINUTE))
    spread = (decoys.payee_burst_minutes.draw(rng, int(moved.sum())) * MINUTE).astype(np.int64)
    return moved, sitting[payer[moved]] + (rng.random(len(spread)) * spread).astype(np.int64)
