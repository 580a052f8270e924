"""Stage 4: separate labels from features and publish the graph.

Ground truth (ring membership, roles, when fraud was confirmed) goes into its own tables; the feature
tables keep only what an investigator could see. Ids are shuffled per node type so they carry no trace of
generation order (rings are planted after the population), every table is sorted by its key, categorical
codes become strings and time columns become UTC timestamps, as described by :mod:`graphgen.schema`.

Label delay: each ring member is confirmed a log-normal delay (mean ``labels.delay_mean_days``) after
their first fraudulent payment or event (a takeover's login), unless they fall in the ``unconfirmed_share`` or the confirmation would
come after the snapshot; then ``fraud_confirmed_at`` is null. Accounts are confirmed with their owner,
transactions when their ring's first member is (or at the transaction, if that is later).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen import pii, schema, vocab
from graphgen.concurrency import run_parallel
from graphgen.graph import EntityGraph, col
from graphgen.population.people import PERSON
from graphgen.config import GraphgenConfig
from graphgen.rings import NODE_TYPES, role_names, typology_names
from graphgen.sampling import DAY, pair_key, stage_rng

NO_TIME = np.iinfo(np.int64).max


def _decode(codes: np.ndarray, names: tuple[str, ...] | list[str], missing: np.ndarray | None = None) -> pa.Array:
    """Strings for integer codes (null where ``missing``), built by Arrow from the small vocabulary."""
    return pa.array(names, pa.string()).take(pa.array(np.asarray(codes, dtype=np.int64), mask=missing))


def _typed(columns: dict[str, object], spec: schema.TableSpec, order: np.ndarray | None = None) -> pa.Table:
    """Build a published table: columns in spec order, cast to the spec's types.

    Rows must already be in ``spec.sort_key`` order, or ``order`` must say how to get there.
    """
    arrays = []
    for name, dtype in spec.columns:
        value = columns[name]
        array = value if isinstance(value, (pa.Array, pa.ChunkedArray)) else pa.array(value)
        arrays.append(array.cast(dtype))
    table = pa.Table.from_arrays(arrays, schema=spec.schema)
    return table if order is None else table.take(pa.array(order))


def _invert(permutation: np.ndarray) -> np.ndarray:
    inverse = np.empty_like(permutation)
    inverse[permutation] = np.arange(len(permutation))
    return inverse


def _times(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), mask=missing).cast(schema.TIMESTAMP)


def _label_delay(n: int, config: GraphgenConfig, rng: np.random.Generator) -> np.ndarray:
    cfg = config.labels
    mu = np.log(cfg.delay_mean_days * DAY) - cfg.delay_sigma**2 / 2  # so that the mean is delay_mean_days
    return np.exp(mu + cfg.delay_sigma * rng.standard_normal(n)).astype(np.int64)


def publish(graph: EntityGraph, config: GraphgenConfig, seed: int | None = None) -> EntityGraph:
    """Turn the working graph into the published one (see :mod:`graphgen.schema`).

    Parameters
    ----------
    graph : EntityGraph
        Working graph from :func:`graphgen.events.derive_events`; its transactions and events (left ``None``)
        and the edges it publishes (taken out of ``graph.edges``) are handed over and released as they are
        published.
    config : GraphgenConfig
    seed : int, optional
        Random seed; defaults to ``config.seed``.
    """
    seed = config.seed if seed is None else seed
    rng = stage_rng(seed, "labels")
    _, end = config.horizon_ms()
    nodes = graph.nodes
    # The working transactions and events, the largest tables, are handed over and each released once its
    # published version is made: holding both versions of both set the build's peak memory.
    working = {"transactions": graph.transactions, "events": graph.events}
    graph.transactions = graph.events = None
    txns, events = working["transactions"], working["events"]
    # new_id[t][old index] = published id; inverse[t][published id] = old index.
    new_id = {t: rng.permutation(nodes[t].num_rows) for t in NODE_TYPES}
    inverse = {t: _invert(p) for t, p in new_id.items()}
    rings, members = graph.labels["_rings"], graph.labels["_members"]
    n_rings = rings.num_rows
    ring_new_id = rng.permutation(n_rings)

    # -- ground truth -------------------------------------------------------------------------------
    m_ring, m_type, m_node, m_role = (col(members, c) for c in ("ring", "node_type", "node", "role"))
    typology = col(rings, "typology")
    owner = col(nodes["account"], "_owner")
    t_ring, t_ts = col(txns, "_ring"), col(txns, "ts")
    is_user = m_type == NODE_TYPES.index("user")
    n_users = nodes["user"].num_rows

    # A member's first fraudulent payment: the earliest ring payment into or out of their accounts.
    fraud = np.flatnonzero(t_ring >= 0)
    first_activity = np.full(n_users, NO_TIME, dtype=np.int64)
    for side in ("src_account_id", "dst_account_id"):
        np.minimum.at(first_activity, owner[col(txns, side)[fraud]], t_ts[fraud])
    ring_event = col(events, "_ring") >= 0  # a takeover starts with a login, before any payment
    np.minimum.at(first_activity, col(events, "user_id")[ring_event], col(events, "ts")[ring_event])
    user_ring = np.full(n_users, -1, dtype=np.int64)
    user_ring[m_node[is_user]] = m_ring[is_user]
    user_role = np.full(n_users, -1, dtype=np.int64)
    user_role[m_node[is_user]] = m_role[is_user]
    member_users = m_node[is_user]
    activity = np.where(first_activity[member_users] < NO_TIME, first_activity[member_users],
                        col(rings, "active_from")[m_ring[is_user]])
    confirmed = activity + _label_delay(len(member_users), config, rng)
    unconfirmed = (rng.random(len(member_users)) < config.labels.unconfirmed_share) | (confirmed > end)
    user_confirmed = np.full(n_users, NO_TIME, dtype=np.int64)
    user_confirmed[member_users[~unconfirmed]] = confirmed[~unconfirmed]

    ring_confirmed = np.full(n_rings, NO_TIME, dtype=np.int64)
    np.minimum.at(ring_confirmed, m_ring[is_user], user_confirmed[member_users])

    # Per-ring arrays get one extra last entry, so that ring -1 (no ring) reads it even when there are no rings.
    ring_id_or_none = np.append(ring_new_id, -1)
    typology_or_none = np.append(typology, 0)

    def ring_columns(ring: np.ndarray) -> dict[str, object]:
        has = ring >= 0
        return {
            "is_fraud": has,
            "ring_id": pa.array(ring_id_or_none[ring], mask=~has),
            "typology": _decode(typology_or_none[ring], typology_names(), missing=~has),
        }

    def role_column(role: np.ndarray) -> pa.Array:
        return _decode(np.maximum(role, 0), role_names(), missing=role < 0)

    def confirmed_column(t: np.ndarray) -> pa.Array:
        return _times(np.where(t < NO_TIME, t, 0), t == NO_TIME)

    u = inverse["user"]  # old index of each published user, in id order
    labels = {"user": _typed({"user_id": new_id["user"][u], **ring_columns(user_ring[u]), "role": role_column(user_role[u]),
                               "fraud_confirmed_at": confirmed_column(user_confirmed[u])}, schema.LABELS["user"])}

    is_account = m_type == NODE_TYPES.index("account")
    account_ring = np.full(nodes["account"].num_rows, -1, dtype=np.int64)
    account_ring[m_node[is_account]] = m_ring[is_account]
    account_role = np.full(nodes["account"].num_rows, -1, dtype=np.int64)
    account_role[m_node[is_account]] = m_role[is_account]
    account_confirmed = np.where(account_ring >= 0, user_confirmed[owner], NO_TIME)
    a = inverse["account"]
    labels["account"] = _typed({"account_id": new_id["account"][a], **ring_columns(account_ring[a]),
                                 "role": role_column(account_role[a]),
                                 "fraud_confirmed_at": confirmed_column(account_confirmed[a])}, schema.LABELS["account"])

    # Transactions are already in time order (ties at random): their ids are their row numbers.
    txn_ids = np.arange(len(t_ts))
    ring_known = np.append(ring_confirmed, NO_TIME)[t_ring]
    txn_confirmed = np.where((t_ring >= 0) & (ring_known < NO_TIME), np.maximum(ring_known, t_ts), NO_TIME)
    labels["transaction"] = _typed({"txn_id": txn_ids, **ring_columns(t_ring),
                                     "fraud_confirmed_at": confirmed_column(txn_confirmed)}, schema.LABELS["transaction"])
    # Events are in time order (ties at random) like transactions: ids are row numbers.
    event_ids = np.arange(events.num_rows)
    labels["event"] = _typed({"event_id": event_ids, **ring_columns(col(events, "_ring"))}, schema.LABELS["event"])
    del txns, events  # from here on only `working` holds them

    count = {t: np.bincount(m_ring[m_type == NODE_TYPES.index(t)], minlength=n_rings) for t in NODE_TYPES}
    r = _invert(ring_new_id)
    labels["ring"] = _typed({
        "ring_id": ring_new_id[r], "typology": _decode(typology[r], tuple(typology_names())),
        "n_users": count["user"][r], "n_accounts": count["account"][r], "n_devices": count["device"][r],
        "n_ips": count["ip"][r], "n_transactions": np.bincount(t_ring[fraud], minlength=n_rings)[r],
        "active_from": _times(col(rings, "active_from")[r]), "active_to": _times(col(rings, "active_to")[r]),
    }, schema.LABELS["ring"])
    member_ids = _published_member_ids(m_type, m_node, new_id)
    labels["ring_member"] = _typed({
        "ring_id": ring_new_id[m_ring], "node_type": _decode(m_type, NODE_TYPES), "node_id": member_ids,
        "role": role_column(m_role),
    }, schema.LABELS["ring_member"], order=np.lexsort((member_ids, np.argsort(np.argsort(NODE_TYPES))[m_type], ring_new_id[m_ring])))

    # -- features: nodes (with their synthetic PII), edges and transactions, side by side --------------
    def transactions() -> pa.Table:
        txns = working.pop("transactions")
        return _typed({
            "txn_id": txn_ids,
            "src_account_id": new_id["account"][col(txns, "src_account_id")],
            "dst_account_id": new_id["account"][col(txns, "dst_account_id")],
            "user_id": new_id["user"][col(txns, "user_id")], "device_id": new_id["device"][col(txns, "device_id")],
            "ip_id": new_id["ip"][col(txns, "ip_id")], "ts": _times(t_ts), "amount": col(txns, "amount"),
            "channel": _decode(col(txns, "channel"), vocab.CHANNELS), "status": _decode(col(txns, "status"), vocab.STATUSES),
        }, schema.TRANSACTIONS)

    def published_events() -> pa.Table:
        events = working.pop("events")
        payee = col(events, "payee_account_id")
        return _typed({
            "event_id": event_ids, "user_id": new_id["user"][col(events, "user_id")],
            "device_id": new_id["device"][col(events, "device_id")], "ip_id": new_id["ip"][col(events, "ip_id")],
            "ts": _times(col(events, "ts")), "event_type": _decode(col(events, "event_type"), vocab.EVENT_TYPES),
            "payee_account_id": pa.array(new_id["account"][np.maximum(payee, 0)], mask=payee < 0),
        }, schema.EVENTS)

    link = graph.edges["uses_device"]
    device_first_seen = np.full(nodes["device"].num_rows, NO_TIME, dtype=np.int64)
    np.minimum.at(device_first_seen, col(link, "device_id"), col(link, "first_seen"))
    del link  # the edges are handed over too, to _publish_edges
    (published_nodes, identity_edges), published_edges, transactions, published_events = run_parallel(
        lambda: _publish_nodes(graph, new_id, inverse, device_first_seen, end, stage_rng(seed, "labels.pii")),
        lambda: _publish_edges(graph, new_id, inverse),
        transactions, published_events,
    )
    edges = {**published_edges, **identity_edges}
    return EntityGraph(nodes=published_nodes, edges={name: edges[name] for name in schema.EDGES}, transactions=transactions,
                       events=published_events,
                       labels=labels, config=config, stage_seconds=graph.stage_seconds)


def _published_member_ids(m_type: np.ndarray, m_node: np.ndarray, new_id: dict[str, np.ndarray]) -> np.ndarray:
    out = np.empty(len(m_node), dtype=np.int64)
    for code, t in enumerate(NODE_TYPES):
        mask = m_type == code
        out[mask] = new_id[t][m_node[mask]]
    return out


def _publish_nodes(graph: EntityGraph, new_id, inverse, first_seen: np.ndarray, end: int,
                   rng) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """The node tables, and the edges from users to their identity fragments (phone, address)."""
    users, devices, accounts, ips = (graph.nodes[t] for t in NODE_TYPES)
    u = inverse["user"]
    country = col(users, "country")
    strings = pii.user_strings(col(users, "_kind")[u] != PERSON, col(users, "_family")[u], col(users, "_household")[u],
                               col(users, "_phone_group")[u], country[u], rng)
    out = {"user": _typed({
        "user_id": np.arange(len(u)), **strings, "country": _decode(country[u], vocab.COUNTRY_CODES),
        "segment": _decode(col(users, "segment")[u], vocab.SEGMENTS), "created_at": _times(col(users, "created_at")[u]),
    }, schema.NODES["user"])}
    identity_edges = {}
    for node, value, edge in (("phone", "phone", "has_phone"), ("address", "address", "lives_at")):
        out[node], identity_edges[edge] = _identity_fragments(strings[value], schema.NODES[node], schema.EDGES[edge])

    d = inverse["device"]
    out["device"] = _typed({
        "device_id": np.arange(len(d)),
        **pii.device_strings(col(devices, "device_type")[d], col(devices, "os")[d], first_seen[d], end, rng),
        "device_type": _decode(col(devices, "device_type")[d], vocab.DEVICE_TYPES),
        "os": _decode(col(devices, "os")[d], vocab.OPERATING_SYSTEMS),
        "first_seen": _times(np.where(first_seen == NO_TIME, 0, first_seen)[d], first_seen[d] == NO_TIME),
    }, schema.NODES["device"])

    a = inverse["account"]
    owner_country = country[col(accounts, "_owner")[a]]
    out["account"] = _typed({
        "account_id": np.arange(len(a)), "account_number": pii.account_numbers(owner_country, rng),
        "account_type": _decode(col(accounts, "account_type")[a], vocab.ACCOUNT_TYPES),
        "opened_at": _times(col(accounts, "opened_at")[a]), "balance": col(accounts, "balance")[a],
        "credit_limit": pa.array(col(accounts, "credit_limit")[a], mask=col(accounts, "account_type")[a] != vocab.CREDIT_CARD),
    }, schema.NODES["account"])

    i = inverse["ip"]
    out["ip"] = _typed({
        "ip_id": np.arange(len(i)), "address": pii.ip_addresses(col(ips, "connection_type")[i], col(ips, "country")[i], rng),
        "is_vpn": col(ips, "is_vpn")[i], "is_hosting": col(ips, "is_hosting")[i],
        "connection_type": _decode(col(ips, "connection_type")[i], vocab.CONNECTION_TYPES),
        "country": _decode(col(ips, "country")[i], vocab.COUNTRY_CODES),
    }, schema.NODES["ip"])
    return out, identity_edges


def _identity_fragments(values: pa.Array, node: schema.NodeSpec, edge: schema.EdgeSpec) -> tuple[pa.Table, pa.Table]:
    """One node per distinct value of a user column and one edge from each user to theirs.

    Ids follow the first user (by published id, itself random) giving the value, so they carry no information.
    """
    encoded = values.dictionary_encode()
    return (_typed({node.id_column: np.arange(len(encoded.dictionary)), node.columns[1][0]: encoded.dictionary}, node),
            _typed({"user_id": np.arange(len(values)), node.id_column: encoded.indices.to_numpy().astype(np.int64)}, edge))


def _pair_order(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Row order by (src, dst)."""
    return np.argsort(pair_key(src, dst))


def _publish_edges(graph: EntityGraph, new_id, inverse) -> dict[str, pa.Table]:
    """The published edges; the working ones are taken out of ``graph`` and released as they are published."""
    out = {}
    for name, target in (("uses_device", "device"), ("uses_ip", "ip")):
        table = graph.edges.pop(name)
        user, other = new_id["user"][col(table, "user_id")], new_id[target][col(table, f"{target}_id")]
        out[name] = _typed({"user_id": user, f"{target}_id": other, "first_seen": _times(col(table, "first_seen")),
                            "last_seen": _times(col(table, "last_seen"))}, schema.EDGES[name], order=_pair_order(user, other))
    a = inverse["account"]
    accounts = graph.nodes["account"]
    out["has_account"] = _typed({"user_id": new_id["user"][col(accounts, "_owner")[a]], "account_id": np.arange(len(a)),
                                 "since": _times(col(accounts, "opened_at")[a])}, schema.EDGES["has_account"])
    transfers = graph.edges.pop("transfers_to")
    src, dst = new_id["account"][col(transfers, "src_account_id")], new_id["account"][col(transfers, "dst_account_id")]
    out["transfers_to"] = _typed({
        "src_account_id": src, "dst_account_id": dst,
        "first_ts": _times(col(transfers, "first_ts")), "last_ts": _times(col(transfers, "last_ts")),
        "n_txns": col(transfers, "n_txns"), "total_amount": col(transfers, "total_amount"),
    }, schema.EDGES["transfers_to"], order=_pair_order(src, dst))
    return out
