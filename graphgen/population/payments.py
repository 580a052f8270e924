"""Who pays whom: TRANSFERS_TO edges with the payment pattern that the transactions stage samples.

Each edge carries a private pattern: MONTHLY (salary, rent, utilities, standing orders: one payment per
month at a fixed phase), POISSON (purchases, friends, family: random times at a rate) or PLANNED (the
payments were scheduled explicitly, as for bill-splitting loops and fraud rings, in the working
transactions table).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen import vocab
from graphgen.population.accounts import SAVINGS
from graphgen.population.people import EMPLOYER, EXCHANGE, MERCHANT, PERSON, UTILITY, People
from graphgen.sampling import DAY, HOUR, MONTH, choose, cumsum_within, popularity, ranks_within, starts_of_runs, uniform_times

MONTHLY, POISSON, PLANNED = range(3)
CHANNEL = {name: i for i, name in enumerate(vocab.CHANNELS)}


def payment_rows(src, dst, ts, amount, channel, device_edge=None, ip_edge=None, ring=None) -> dict[str, np.ndarray]:
    """Rows of explicitly scheduled payments (the working transactions table)."""
    n = len(src)
    minus_one = np.full(n, -1, dtype=np.int64)
    return {
        "src_account_id": np.asarray(src, np.int64), "dst_account_id": np.asarray(dst, np.int64),
        "ts": np.asarray(ts, np.int64), "amount": np.round(np.asarray(amount, float), 2),
        "channel": np.broadcast_to(np.asarray(channel, np.int8), (n,)).copy(),
        "_device_edge": minus_one if device_edge is None else np.asarray(device_edge, np.int64),
        "_ip_edge": minus_one if ip_edge is None else np.asarray(ip_edge, np.int64),
        "_ring": minus_one if ring is None else np.asarray(ring, np.int64),
    }


def round_amounts(amount: np.ndarray, round_share: float, step: float, rng) -> np.ndarray:
    """Cents everywhere; a ``round_share`` of amounts rounded to a whole ``step`` (people like round sums)."""
    rounded = np.maximum(np.rint(amount / step), 1) * step
    return np.round(np.where(rng.random(len(amount)) < round_share, rounded, amount), 2)


class TransferPlanner:
    """Collects TRANSFERS_TO edges with their payment patterns; the first pattern for a pair wins."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, src, dst, pattern: int, channel: int, mu, sigma=0.0, rate=0.0, phase=0, round_to=0.0) -> None:
        self.parts.append(transfer_rows(src, dst, pattern, channel, mu, sigma, rate, phase, round_to))

    def table(self) -> pa.Table:
        rows = {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
        return add_transfer_edges(None, rows)


def transfer_rows(src, dst, pattern: int, channel, mu=0.0, sigma=0.0, rate=0.0, phase=0, round_to=0.0) -> dict[str, np.ndarray]:
    """Columns of TRANSFERS_TO edges in working form; scalars are broadcast.

    An edge pays from when both accounts are open until the snapshot; the transactions stage derives
    that window from the accounts, so it is not stored here.
    """
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    n = len(src)

    def full(value, dtype):
        return np.broadcast_to(np.asarray(value, dtype), (n,)).copy()

    return {
        "src_account_id": src, "dst_account_id": dst,
        "_pattern": full(pattern, np.int8), "_channel": full(channel, np.int8),
        "_mu": full(mu, np.float32), "_sigma": full(sigma, np.float32), "_rate": full(rate, np.float32),
        "_phase": full(phase, np.int64), "_round_to": full(round_to, np.float32),
    }


def pair_key(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """One int64 per (src, dst) account pair, ordered like the pairs."""
    return (np.asarray(src, np.int64) << 32) | np.asarray(dst, np.int64)


def add_transfer_edges(table: pa.Table | None, rows: dict[str, np.ndarray]) -> pa.Table:
    """Append edges for (src, dst) pairs not already present; self-payments are dropped."""
    key = pair_key(rows["src_account_id"], rows["dst_account_id"])
    order = np.argsort(key, kind="stable")
    first = starts_of_runs(key[order])
    keep = np.zeros(len(key), bool)
    keep[order[first]] = True
    keep &= rows["src_account_id"] != rows["dst_account_id"]
    if table is not None and table.num_rows:
        existing = np.sort(pair_key(table.column("src_account_id").to_numpy(), table.column("dst_account_id").to_numpy()))
        pos = np.minimum(np.searchsorted(existing, key), len(existing) - 1)
        keep &= existing[pos] != key
    new = pa.table({k: v[keep] for k, v in rows.items()})
    return new if table is None else pa.concat_tables([table, new.cast(table.schema)])


def grow_payments(people: People, accounts: pa.Table, primary_account: np.ndarray, employer_of: np.ndarray,
                  config, start: int, end: int, rng) -> tuple[pa.Table, dict[str, np.ndarray]]:
    """Legitimate TRANSFERS_TO edges and the scheduled bill-splitting loops."""
    pop, decoys = config.population, config.decoys
    opened = accounts.column("opened_at").to_numpy()
    plan = TransferPlanner()
    acct = primary_account
    persons = people.of_kind(PERSON)
    heads = people.household_head
    sizes = people.household_size

    def popular(kind: int, exponent: float, size: int) -> np.ndarray:
        """Accounts of businesses of a kind, chosen with Zipf popularity (preferential attachment)."""
        of_kind = people.of_kind(kind)
        return acct[of_kind[choose(popularity(len(of_kind), exponent, rng), size, rng)]]

    def monthly_phase(n: int, earliest_day: float = 0, latest_day: float = 30) -> np.ndarray:
        return (rng.uniform(earliest_day, latest_day, n) * DAY).astype(np.int64)

    # Salary: employer -> employee, monthly on the employer's pay day, nearly constant.
    employed = np.flatnonzero(employer_of >= 0)
    if len(employed):
        employer = employer_of[employed]
        pay_day = monthly_phase(people.n, 23, 29)[employer]
        salary = np.log(2400) + 0.45 * rng.standard_normal(len(employed))
        plan.add(acct[employer], acct[employed], MONTHLY, CHANNEL["transfer"], salary, 0.015, phase=pay_day)

    # Rent: renting households (all flat-shares) pay a landlord monthly, a round constant sum; flatmates
    # pay the head their share a few days before.
    landlords = persons[rng.random(len(persons)) < pop.landlord_share]
    renting = np.flatnonzero(people.roommates | (rng.random(people.n_households) < pop.renter_share))
    if len(landlords) and len(renting):
        rent = 950 * np.exp(0.35 * rng.standard_normal(len(renting)))
        rent_day = monthly_phase(len(renting), 0, 5)
        landlord = landlords[choose(popularity(len(landlords), 0.8, rng), len(renting), rng)]
        plan.add(acct[heads[renting]], acct[landlord], MONTHLY, CHANNEL["standing_order"], np.log(rent), round_to=10,
                 phase=rent_day)
        shares = renting[people.roommates[renting]]
        share_sizes = sizes[shares]
        rank = ranks_within(share_sizes)
        flat = np.repeat(np.arange(len(shares)), share_sizes)
        member = people.household_members[people.household_offsets[shares][flat] + rank]
        payer = rank > 0
        where = np.searchsorted(renting, shares)[flat][payer]
        part = rent[where] / share_sizes[flat][payer] * rng.uniform(0.9, 1.1, int(payer.sum()))
        plan.add(acct[member[payer]], acct[heads[shares][flat][payer]], MONTHLY, CHANNEL["p2p"], np.log(part),
                 phase=np.maximum(rent_day[where] - monthly_phase(int(payer.sum()), 1, 4), 0),
                 round_to=np.where(rng.random(int(payer.sum())) < 0.5, 5.0, 0.0))

    # Utilities: each household pays one or more of a few utility companies by direct debit.
    if len(people.of_kind(UTILITY)):
        n_util = config.population.utilities_per_household.draw(rng, people.n_households)
        payer = np.repeat(heads, n_util)
        plan.add(acct[payer], popular(UTILITY, 0.5, len(payer)), MONTHLY, CHANNEL["direct_debit"],
                 np.log(75) + 0.3 * rng.standard_normal(len(payer)), 0.25, phase=monthly_phase(len(payer)))

    # Own transfers: people with savings move money there by standing order.
    account_type = accounts.column("account_type").to_numpy()
    owner = accounts.column("_owner").to_numpy()
    savings = np.flatnonzero((account_type == SAVINGS) & (rng.random(len(owner)) < 0.6))
    plan.add(acct[owner[savings]], savings, MONTHLY, CHANNEL["standing_order"],
             np.log(rng.uniform(50, 500, len(savings))), 0.0, phase=monthly_phase(len(savings)),
             round_to=np.where(rng.random(len(savings)) < 0.7, 10.0, 0.0))

    per_day = 1.0 / (MONTH / DAY)
    if len(people.of_kind(MERCHANT)):
        n_merchants = pop.merchants_per_user.draw(rng, len(persons))
        buyer = np.repeat(persons, n_merchants)
        merchant = popular(MERCHANT, 1.0, len(buyer))
        plan.add(acct[buyer], merchant, POISSON, CHANNEL["card"],
                 np.log(rng.uniform(15, 120, len(buyer))), 0.7,
                 rate=pop.purchases_per_merchant_per_month * per_day * np.exp(0.5 * rng.standard_normal(len(buyer))))

    # Friends: person-to-person payments, some in round sums.
    n_friends = pop.friends_per_user.draw(rng, len(persons))
    payer = np.repeat(persons, n_friends)
    friend = persons[rng.integers(0, len(persons), len(payer))] if len(persons) else payer
    plan.add(acct[payer], acct[friend], POISSON, CHANNEL["p2p"], np.log(45) + 0.9 * rng.standard_normal(len(payer)), 0.4,
             rate=pop.p2p_per_friend_per_month * per_day, round_to=np.where(rng.random(len(payer)) < pop.round_amount_share, 10.0, 0.0))

    # Family back-and-forth: each member pays the next one and back, so families form short loops too.
    families = np.flatnonzero((sizes >= 2) & ~people.roommates)
    fam_sizes = sizes[families]
    rank = ranks_within(fam_sizes)
    base = np.repeat(people.household_offsets[families], fam_sizes)
    member = people.household_members[base + rank]
    nxt = people.household_members[base + (rank + 1) % np.repeat(fam_sizes, fam_sizes)]
    for a, b in ((member, nxt), (nxt, member)):
        plan.add(acct[a], acct[b], POISSON, CHANNEL["p2p"], np.log(60) + rng.standard_normal(len(a)), 0.6,
                 rate=pop.family_payments_per_month * per_day, round_to=np.where(rng.random(len(a)) < pop.round_amount_share, 10.0, 0.0))

    # Crypto purchases at exchanges, the same places fraud cashes out.
    if len(people.of_kind(EXCHANGE)):
        buyers = persons[rng.random(len(persons)) < pop.crypto_share]
        plan.add(acct[buyers], popular(EXCHANGE, 0.5, len(buyers)), POISSON, CHANNEL["instant"],
                 np.log(200) + 0.8 * rng.standard_normal(len(buyers)), 0.8, rate=per_day, round_to=50.0)

    loops = _bill_split_loops(people, acct, opened, config, start, end, rng)
    plan.add(loops["src_account_id"], loops["dst_account_id"], PLANNED, CHANNEL["p2p"], 0.0)
    return plan.table(), loops


def _bill_split_loops(people: People, acct: np.ndarray, opened: np.ndarray, config, start: int, end: int, rng):
    """Flat-shares settling a bill around the flat: A->B->C->A within hours, once to three times.

    Time-ordered hops at short intervals, like kiting, but small amounts that neither carry around the
    loop nor escalate: the look-alike that keeps a cycle query honest.
    """
    sizes = people.household_size
    flats = np.flatnonzero(people.roommates & (sizes >= 3) & (rng.random(people.n_households) < config.decoys.bill_split_loop_share))
    rounds = choose(np.array([0.5, 0.35, 0.15]), len(flats), rng) + 1
    round_flat = np.repeat(flats, rounds)
    hops_per_round = sizes[round_flat]
    round_of_hop = np.repeat(np.arange(len(round_flat)), hops_per_round)
    hop = ranks_within(hops_per_round)
    base = people.household_offsets[round_flat][round_of_hop]
    src = acct[people.household_members[base + hop]]
    dst = acct[people.household_members[base + (hop + 1) % hops_per_round[round_of_hop]]]
    if not len(src):
        return payment_rows(src, dst, src, src, CHANNEL["p2p"])
    earliest = np.maximum(start, np.maximum(opened[src], opened[dst]))
    round_earliest = np.maximum.reduceat(earliest, np.cumsum(hops_per_round) - hops_per_round)
    round_start = uniform_times(round_earliest, np.full(len(round_flat), end - 3 * DAY), rng)
    gaps = (rng.uniform(0.5, 20, len(src)) * HOUR).astype(np.int64)
    ts = round_start[round_of_hop] + cumsum_within(gaps, hops_per_round)
    amount = round_amounts(35 * np.exp(0.6 * rng.standard_normal(len(src))), config.population.round_amount_share, 5.0, rng)
    done = ts <= end  # a loop started near the snapshot may not have closed yet
    return payment_rows(src[done], dst[done], ts[done], amount[done], CHANNEL["p2p"])
