"""A straightforward reference implementation of graphgen's model: networkx, one Python object per entity.

This is what the generator would look like written the obvious way: loop over users, households,
devices, payments and transactions, keep everything in a ``networkx.MultiDiGraph``, look up the device
and IP a user held by scanning their edges, then write the same tables with pandas. It follows the same
config and the same model (population, decoys, the three ring typologies, transactions derived from
edges, labels with delay) in simplified form, and exists only so that ``bench_speedup.py`` can measure
what vectorising buys. It is not used by graphgen itself.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import networkx as nx
import pandas as pd

from graphgen import vocab
from graphgen.sampling import DAY, HOUR, MONTH


def _count(rnd: random.Random, dist) -> int:
    return int(min(max(round(dist.median * math.exp(dist.sigma * rnd.gauss(0, 1))), dist.min), dist.max))


def build_reference(config, out_dir: Path) -> dict[str, int]:
    rnd = random.Random(config.seed)
    start, end = config.horizon_ms()
    pop, decoys = config.population, config.decoys
    g = nx.MultiDiGraph()
    n_business = round(config.users * pop.business_share)

    # Users and households.
    persons = []
    for u in range(config.users):
        business = u < n_business
        created = (start - rnd.randrange(DAY, int(pop.history_years * 365 * DAY)) if business or rnd.random() > pop.new_user_share
                   else rnd.randrange(start, end - DAY))
        kind = ["employer", "merchant", "utility", "exchange"][u % 4] if business else "person"
        g.add_node(("user", u), kind=kind, created=created, country=rnd.choice(vocab.COUNTRY_CODES), fraud=None)
        if not business:
            persons.append(u)
    rnd.shuffle(persons)
    households, i = [], 0
    while i < len(persons):
        size = _count(rnd, decoys.household_size) if rnd.random() < decoys.household_share else 1
        households.append({"members": persons[i:i + size], "roommates": size > 1 and rnd.random() < decoys.roommate_share})
        i += size
    n = {"device": 0, "ip": 0, "account": 0}

    def new_node(kind: str, **attrs) -> tuple[str, int]:
        node = (kind, n[kind])
        n[kind] += 1
        g.add_node(node, **attrs)
        return node

    def created_of(u: int) -> int:
        return g.nodes["user", u]["created"]

    # Devices: personal, family tablets, public terminals.
    for u in range(config.users):
        for j in range(1 if u < n_business else max(_count(rnd, pop.devices_per_user), 1)):
            d = new_node("device", type=rnd.choice(vocab.DEVICE_TYPES))
            first = max(created_of(u), start - rnd.randrange(0, 730 * DAY)) if j == 0 else rnd.randrange(max(created_of(u), start - 365 * DAY), end)
            g.add_edge(("user", u), d, type="USES_DEVICE", first=first, last=end if j == 0 else min(first + 45 * DAY, end), primary=j == 0)
    for hh in households:
        if len(hh["members"]) > 1 and not hh["roommates"] and rnd.random() < decoys.shared_device_share:
            tablet = new_node("device", type="tablet")
            for u in hh["members"]:
                g.add_edge(("user", u), tablet, type="USES_DEVICE", first=created_of(u), last=end, primary=False)
    for _ in range(round(config.users * decoys.shared_terminals_per_10k / 10_000)):
        terminal = new_node("device", type="desktop")
        for _ in range(_count(rnd, decoys.terminal_users)):
            u = rnd.choice(persons)
            t = rnd.randrange(max(created_of(u), start), end - 3 * HOUR)
            g.add_edge(("user", u), terminal, type="USES_DEVICE", first=t, last=t + HOUR, primary=False)

    # IPs: home (with ISP reassignment), business lines, CGNAT, VPN, public Wi-Fi.
    released = None
    for hh in households:
        home = new_node("ip", connection="residential")
        change = rnd.randrange(start + DAY, end - DAY) if rnd.random() < decoys.ip_churn_share else None
        new_home = released or new_node("ip", connection="residential") if change else None
        for u in hh["members"]:
            first = created_of(u)
            if change and first < change:
                g.add_edge(("user", u), home, type="USES_IP", first=first, last=change - 1, primary=False)
            if change:
                g.add_edge(("user", u), new_home, type="USES_IP", first=max(first, change), last=end, primary=True)
            else:
                g.add_edge(("user", u), home, type="USES_IP", first=first, last=end, primary=True)
        if change:
            released = home
    for u in range(n_business):
        g.add_edge(("user", u), new_node("ip", connection="business"), type="USES_IP", first=created_of(u), last=end, primary=True)
    for share, per_ip, connection in ((decoys.mobile_share, decoys.cgnat_users, "mobile"), (decoys.vpn_share, decoys.vpn_users_per_exit, "hosting")):
        users = [u for u in persons if rnd.random() < share]
        pool = [new_node("ip", connection=connection) for _ in range(max(1, len(users) // int(per_ip.median)))]
        for u in users:
            for _ in range(rnd.randint(1, 3)):
                g.add_edge(("user", u), rnd.choice(pool), type="USES_IP", first=created_of(u), last=end, primary=False)
    hotspots = [new_node("ip", connection="business") for _ in range(max(1, len(persons) // 400))]
    for u in persons:
        if rnd.random() < decoys.public_wifi_share:
            for _ in range(_count(rnd, decoys.wifi_sessions)):
                t = rnd.randrange(max(created_of(u), start), end - 4 * HOUR)
                g.add_edge(("user", u), rnd.choice(hotspots), type="USES_IP", first=t, last=t + HOUR, primary=False)

    # Accounts.
    primary_account = {}
    for u in range(config.users):
        for _ in range(1 if u < n_business else max(_count(rnd, pop.accounts_per_user), 1)):
            a = new_node("account", opened=created_of(u) + rnd.randrange(0, 3 * DAY), owner=u, fraud=None)
            g.add_edge(("user", u), a, type="HAS_ACCOUNT")
            primary_account.setdefault(u, a)

    # Who pays whom, with a pattern per edge.
    payments: dict[tuple, dict] = {}

    def pay(src, dst, pattern, mu, sigma=0.0, rate=0.0) -> None:
        if src != dst:
            payments.setdefault((src, dst), {"pattern": pattern, "mu": mu, "sigma": sigma, "rate": rate, "planned": []})

    businesses = {k: [u for u in range(n_business) if g.nodes["user", u]["kind"] == k] for k in ("employer", "merchant", "utility", "exchange")}
    for u in persons:
        a = primary_account[u]
        if businesses["employer"] and rnd.random() < pop.employed_share:
            pay(primary_account[rnd.choice(businesses["employer"])], a, "monthly", math.log(2400) + 0.45 * rnd.gauss(0, 1), 0.015)
        for _ in range(_count(rnd, pop.merchants_per_user) if businesses["merchant"] else 0):
            pay(a, primary_account[rnd.choice(businesses["merchant"])], "poisson", math.log(rnd.uniform(15, 120)), 0.7,
                pop.purchases_per_merchant_per_month / 30.4)
        for _ in range(_count(rnd, pop.friends_per_user)):
            pay(a, primary_account[rnd.choice(persons)], "poisson", math.log(45) + 0.9 * rnd.gauss(0, 1), 0.4, pop.p2p_per_friend_per_month / 30.4)
    for hh in households:
        head = primary_account[hh["members"][0]]
        for _ in range(_count(rnd, pop.utilities_per_household) if businesses["utility"] else 0):
            pay(head, primary_account[rnd.choice(businesses["utility"])], "monthly", math.log(75), 0.25)
        members = hh["members"]
        for k, u in enumerate(members if len(members) > 1 else []):
            v = members[(k + 1) % len(members)]
            if hh["roommates"]:
                pay(primary_account[u], primary_account[v], "planned", 0.0)
                earliest = max(start, g.nodes[primary_account[u]]["opened"], g.nodes[primary_account[v]]["opened"])
                if earliest < end - 3 * DAY:
                    payments[primary_account[u], primary_account[v]]["planned"].append((rnd.randrange(earliest, end - 3 * DAY), 35.0, None, None, None))
            else:
                pay(primary_account[u], primary_account[v], "poisson", math.log(60), 0.6, pop.family_payments_per_month / 30.4)
                pay(primary_account[v], primary_account[u], "poisson", math.log(60), 0.6, pop.family_payments_per_month / 30.4)

    # Rings, one member at a time.
    ring_rows, eligible = [], [u for u in persons if created_of(u) < start - 30 * DAY]
    rnd.shuffle(eligible)
    victims = [primary_account[u] for u in eligible]
    for typology in ("device_sharing", "ip_recycling", "kiting"):
        cfg = getattr(config.rings, typology)
        target = cfg.share * config.users
        while target > 0 and eligible:
            ring = len(ring_rows)
            size = _count(rnd, cfg.size) if typology != "kiting" else rnd.randint(cfg.cycle_length.low, cfg.cycle_length.high)
            members = [eligible.pop() for _ in range(min(size, len(eligible)))]
            target -= len(members)
            t0 = rnd.randrange(start, end - 10 * DAY)
            ring_rows.append({"ring_id": ring, "typology": typology, "active_from": t0})
            collector = new_node("account", opened=t0 - DAY, owner=members[0], fraud=ring)
            pool = [new_node("ip", connection="hosting") for _ in range(3)] if typology == "ip_recycling" else []
            for k, u in enumerate(members):
                g.nodes["user", u]["fraud"] = ring
                if typology == "device_sharing":
                    if k % 6 == 0:
                        device = new_node("device", type="mobile")
                    edge = g.add_edge(("user", u), device, type="USES_DEVICE", first=t0 + k * HOUR, last=t0 + 7 * DAY - HOUR, primary=False)
                    forced = (("user", u), device, edge)
                elif typology == "ip_recycling":
                    forced = None
                    for w in range(len(members)):
                        slot = (k + w) % len(members)
                        if slot < len(pool):
                            g.add_edge(("user", u), pool[slot], type="USES_IP", first=t0 + w * 12 * HOUR,
                                       last=t0 + (w + 1) * 12 * HOUR - HOUR, primary=False)
                else:
                    forced = None
                a = primary_account[u]
                g.nodes[a]["fraud"] = ring
                if typology == "kiting":
                    nxt = primary_account[members[(k + 1) % len(members)]]
                    pay(a, nxt, "planned", 0.0)
                    for r in range(3):
                        payments[a, nxt]["planned"].append((t0 + r * 2 * DAY + k * HOUR, 2500 * 1.2 ** r, None, None, ring))
                else:
                    victim = rnd.choice(victims)
                    pay(victim, a, "planned", 0.0)
                    pay(a, collector, "planned", 0.0)
                    payments[victim, a]["planned"].append((t0 + 2 * HOUR + k * HOUR, 900.0, None, None, ring))
                    payments[a, collector]["planned"].append((t0 + 3 * HOUR + k * HOUR, 800.0, forced, None, ring))

    # Transactions: sample each edge's payments, then look up a device and IP the payer held.
    def held(u: int, kind: str, t: int):
        edges = [(v, d) for _, v, d in g.out_edges(("user", u), data=True) if v[0] == kind and d["first"] <= t <= d["last"]]
        primary = [v for v, d in edges if d["primary"]]
        return primary[0] if primary and rnd.random() < 0.7 else rnd.choice(edges)[0]

    txns = []
    for (src, dst), p in payments.items():
        opened = max(g.nodes[src]["opened"], g.nodes[dst]["opened"], start)
        times = []
        if p["pattern"] == "monthly":
            t = start + rnd.randrange(0, MONTH)
            while t < end:
                if t >= opened:
                    times.append(t)
                t += MONTH
        elif p["pattern"] == "poisson" and opened < end:
            count = max(1, sum(1 for _ in range(int(p["rate"] * (end - opened) / DAY * 3)) if rnd.random() < 1 / 3))
            times = [rnd.randrange(opened, end) for _ in range(count)]
        plans = [(t, round(math.exp(p["mu"] + p["sigma"] * rnd.gauss(0, 1)), 2), None, None, None) for t in times] + p["planned"]
        for t, amount, forced_device, _, ring in plans:
            u = g.nodes[src]["owner"]
            device = forced_device[1] if forced_device else held(u, "device", t)
            txns.append({"src_account_id": src[1], "dst_account_id": dst[1], "user_id": u, "device_id": device[1],
                         "ip_id": held(u, "ip", t)[1], "ts": t, "amount": amount, "is_fraud": ring is not None})
        g.add_edge(src, dst, type="TRANSFERS_TO", n_txns=len(plans))

    # Publish: one table per node and edge type, transactions, labels.
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {f"nodes_{kind}": pd.DataFrame([{"id": i, **d} for (k, i), d in g.nodes(data=True) if k == kind])
              for kind in ("user", "device", "account", "ip")}
    for rel in ("USES_DEVICE", "USES_IP", "HAS_ACCOUNT", "TRANSFERS_TO"):
        tables[f"edges_{rel.lower()}"] = pd.DataFrame([{"src": s[1], "dst": t[1], **{k: v for k, v in d.items() if k != "type"}}
                                                       for s, t, d in g.edges(data=True) if d["type"] == rel])
    tx = pd.DataFrame(txns).sort_values("ts", kind="stable").reset_index(drop=True)
    tables["transactions"] = tx.drop(columns="is_fraud").rename_axis("txn_id").reset_index()
    tables["labels_transactions"] = tx[["is_fraud"]].rename_axis("txn_id").reset_index()
    tables["labels_rings"] = pd.DataFrame(ring_rows)
    rows = {}
    for name, frame in tables.items():
        frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object}).to_parquet(out_dir / f"{name}.parquet")
        rows[name] = len(frame)
    return rows
