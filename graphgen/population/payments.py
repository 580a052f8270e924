"""Who pays whom: TRANSFERS_TO edges with the payment pattern that the transactions stage samples.

Each edge carries a private pattern: MONTHLY (salary, rent, utilities, standing orders: one payment per
month at a fixed phase), POISSON (purchases, friends, family: random times at a rate; card purchases of
the employed cluster after their pay day, the edge's phase) or PLANNED (the payments were scheduled
explicitly, as for bill-splitting loops, collections and fraud rings, in the working transactions table).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen.vocab import CHANNEL, COMPLETED, CREDIT_CARD, SAVINGS
from graphgen.population.accounts import first_card_of
from graphgen.population.links import CHIPS_IN, PAYS_RENT, REPAYS
from graphgen.population.people import EXCHANGE, MERCHANT, PERSON, UTILITY, People
from graphgen.sampling import (DAY, HOUR, MONTH, choose, cumsum_within, pair_key, popularity, ranks_within, starts_of_runs,
                               uniform_times)

MONTHLY, POISSON, PLANNED = range(3)
NO_ANCHOR = -1  # a POISSON edge's phase: no pay day its payments cluster after
MONTH_DAYS = 30  # monthly payments fall on a day drawn from the first 30 of the month
PURCHASE_RATE_SPREAD = 0.5  # log-sigma of how often one buyer shops at one merchant, around the configured rate
RENT_DAYS = (0, 5)  # rent leaves in the first days of the month
FLATMATE_LEAD_DAYS = (1, 4)  # flatmates pay the head their part this long before rent day
FLATMATE_PART_NOISE = (0.9, 1.1)  # parts are roughly equal
FLATMATE_ROUND_SHARE, FLATMATE_ROUND_STEP = 0.5, 5.0  # half the flatmates round their part to 5
LANDLORD_POPULARITY = 0.8  # Zipf exponent: a few landlords (agencies) let many flats
UTILITY_POPULARITY = 0.5  # a few big utilities, many small ones
SAVINGS_ORDER_SHARE = 0.6  # savings accounts fed by a monthly standing order
SAVINGS_AFTER_PAYDAY_DAYS = (0, 1.5)
SAVINGS_ROUND_SHARE = 0.7  # savings orders are mostly round sums (of 10)
CARD_REPAYMENT_AFTER_PAYDAY_DAYS = (0.2, 2)
POT_AFTER_PAYDAY_DAYS = (0, 1)
POT_JITTER = 0.05  # the household pot barely varies month to month
POT_ROUND_SHARE = 0.6  # and is mostly a round sum (of 50)
LARGE_TO_MERCHANT_SHARE = 0.4  # one-off large payments to a business (a dealer) rather than a person
CARD_SPREE_LIMIT_SHARE = (0.3, 1.0)  # of the card's limit, spent at once
ONE_OFF_RATE = 0.5  # expected payments per edge over the horizon for one-off edges (large payments, sales)
MERCHANT_POPULARITY = 1.0  # Zipf exponent of merchants: a few chains take most card payments
EXCHANGE_POPULARITY = 0.5
COLLECTION_DAYS = 6  # a collection (pay-in, then pay-out) fits in six days
COLLECTION_PAY_IN_DAYS = (0, 2)
COLLECTION_PAY_OUT_DAYS = (2, 4)
COLLECTION_PART_NOISE = (0.9, 1.1)
COLLECTION_ROUND_SHARE = 0.5  # friends often round what they owe (to 5)
COLLECTION_PASSED_ON = (0.8, 1.0)  # the collector pays on most of what came in
BILL_SPLIT_ROUNDS = np.array([0.5, 0.35, 0.15])  # a flat settles one, two or three bills in the horizon
BILL_SPLIT_LAST_START_DAYS = 3  # a loop starts at least 3 days before the snapshot
BILL_SPLIT_HOP_HOURS = (0.5, 20)
CIRCLE_NOISE = 0.02  # a savings circle's pot barely changes from hop to hop and month to month
CIRCLE_ROUND_SHARE = 0.7  # and is mostly a round sum (of 10)
CIRCLE_PERIOD_DAYS = np.array([7.0, 14.0, 30.4375])  # circles meet weekly, fortnightly or monthly
CIRCLE_PERIOD_SHARES = np.array([0.2, 0.3, 0.5])
LOAN_AMOUNT = (300.0, 5000.0)
LOAN_HOP_DAYS = (0.5, 10)  # a loan's pace: its slowest hop
HOP_SHARE_OF_PACE = (0.3, 1.0)  # each hop of a circle or loan takes this share of its pace
NEWCOMER_DAYS = 30  # newcomers to a circle opened their account at most this long before or into the horizon
NEWCOMER_SHARE = (0.2, 1.0)  # of a circle's members, in circles that take newcomers in
NEWCOMER_JOIN_DAYS = (0.5, 21)  # a circle starts this long after its newest member opened their account, at least
PAID_ONCE = 1e-9  # the rate of a POISSON edge paid exactly once (every POISSON edge pays at least once)


def payment_rows(src, dst, ts, amount, channel, device_edge=None, ip_edge=None, ring=None, status=COMPLETED) -> dict[str, np.ndarray]:
    """Rows of explicitly scheduled payments (the working transactions table); ``status`` codes
    :data:`graphgen.vocab.STATUSES`."""
    n = len(src)
    minus_one = np.full(n, -1, dtype=np.int64)
    return {
        "src_account_id": np.asarray(src, np.int64), "dst_account_id": np.asarray(dst, np.int64),
        "ts": np.asarray(ts, np.int64), "amount": np.round(np.asarray(amount, float), 2),
        "channel": np.broadcast_to(np.asarray(channel, np.int8), (n,)).copy(),
        "status": np.broadcast_to(np.asarray(status, np.int8), (n,)).copy(),
        "_device_edge": minus_one if device_edge is None else np.asarray(device_edge, np.int64),
        "_ip_edge": minus_one if ip_edge is None else np.asarray(ip_edge, np.int64),
        "_ring": minus_one if ring is None else np.asarray(ring, np.int64),
    }


def purchase_rows(buyer: np.ndarray, merchant: np.ndarray, pop, rng: np.random.Generator,
                  anchor: np.ndarray | int = NO_ANCHOR) -> dict[str, np.ndarray]:
    """Card-purchase edges (buyer account -> merchant account), at heavy-tailed rates."""
    n = len(buyer)
    rate = pop.purchases_per_merchant_per_month * DAY / MONTH * np.exp(PURCHASE_RATE_SPREAD * rng.standard_normal(n))
    return transfer_rows(buyer, merchant, POISSON, CHANNEL["card"], np.log(pop.amounts.purchase.draw(rng, n)),
                         pop.amounts.purchase_jitter, rate=rate, phase=anchor)


def friend_payment_rows(payer: np.ndarray, friend: np.ndarray, pop, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Person-to-person edges between friends, some paid in round sums."""
    n = len(payer)
    return transfer_rows(payer, friend, POISSON, person_to_person_channels(n, pop.instant_share, rng),
                         pop.amounts.friend.edge_mu(rng, n), pop.amounts.friend.jitter, rate=pop.p2p_per_friend_per_month * DAY / MONTH,
                         round_to=np.where(rng.random(n) < pop.round_amount_share, 10.0, 0.0))


def monthly_phase(n: int, rng: np.random.Generator, earliest_day: float = 0, latest_day: float = MONTH_DAYS) -> np.ndarray:
    """When in the month each of ``n`` monthly payments falls: ``earliest_day`` to ``latest_day``, in ms."""
    return (rng.uniform(earliest_day, latest_day, n) * DAY).astype(np.int64)


class CardRunUp(NamedTuple):
    """Cards run up within a window (see :func:`run_cards_up`); ``*_of`` index the cards."""

    purchase_of: np.ndarray  # every purchase: the run-up, then the second round of the bounced cards
    purchase_at: np.ndarray
    purchase_amount: np.ndarray
    again: np.ndarray  # purchases of the second round: spent while the bounced repayment is in flight
    bounced: np.ndarray  # cards whose repayment of the run-up is returned
    bounced_at: np.ndarray


def run_cards_up(spend: np.ndarray, start: np.ndarray, end: np.ndarray, n_buys: np.ndarray, bounce_share: float,
                 again_share: float, again_spent: tuple[float, float], rng: np.random.Generator) -> CardRunUp:
    """Spend ``spend`` on each card in ``n_buys`` purchases within ``[start, end]``; bounce a repayment of it.

    Shared by bust-outs and the card defaults that look like them, so that the two differ only in their
    parameters. ``bounce_share`` of the cards get a repayment of the whole run-up that is returned; while it is
    in flight the card shows it as paid, and ``again_share`` of those spend ``again_spent`` of the run-up again,
    past the limit.
    """
    n = len(spend)
    of = np.repeat(np.arange(n), n_buys)
    weight = rng.random(len(of)) + 0.2
    buy = spend[of] * weight / np.bincount(of, weights=weight, minlength=n)[of]
    bought_at = uniform_times(start[of], end[of], rng)
    bounced = np.flatnonzero(rng.random(n) < bounce_share)
    bounced_at = uniform_times(start[bounced], end[bounced], rng)
    again = rng.random(len(bounced)) < again_share
    again_of = bounced[again]
    again_at = uniform_times(bounced_at[again], end[again_of], rng)
    again_amount = spend[again_of] * rng.uniform(*again_spent, len(again_of))
    return CardRunUp(np.concatenate([of, again_of]), np.concatenate([bought_at, again_at]),
                     np.concatenate([buy, again_amount]), np.arange(len(of) + len(again_of)) >= len(of), bounced, bounced_at)


def person_to_person_channels(n: int, instant_share: float, rng: np.random.Generator) -> np.ndarray:
    """Channels of payments between people: instant transfers or payment-app transfers."""
    return np.where(rng.random(n) < instant_share, CHANNEL["instant"], CHANNEL["p2p"]).astype(np.int8)


def round_amounts(amount: np.ndarray, round_share: float, step: float, rng) -> np.ndarray:
    """Cents everywhere; a ``round_share`` of amounts rounded to a whole ``step`` (people like round sums)."""
    rounded = np.maximum(np.rint(amount / step), 1) * step
    return np.round(np.where(rng.random(len(amount)) < round_share, rounded, amount), 2)


class TransferPlanner:
    """Collects TRANSFERS_TO edges with their payment patterns; the first pattern for a pair wins."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, src, dst, pattern: int, channel: int, mu, sigma=0.0, rate=0.0, phase=None, round_to=0.0) -> None:
        self.add_rows(transfer_rows(src, dst, pattern, channel, mu, sigma, rate, phase, round_to))

    def add_rows(self, rows: dict[str, np.ndarray]) -> None:
        self.parts.append(rows)

    def rows(self) -> dict[str, np.ndarray]:
        """All planned edges in order, duplicates still in (``add_transfer_edges`` keeps each pair's first)."""
        return {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}


def transfer_rows(src, dst, pattern: int, channel, mu=0.0, sigma=0.0, rate=0.0, phase=None, round_to=0.0) -> dict[str, np.ndarray]:
    """Columns of TRANSFERS_TO edges in working form; scalars are broadcast.

    ``phase`` is when a MONTHLY edge pays (offset into each month, default 0) or the pay day a POISSON
    edge's payments cluster after (default: none). An edge pays from when both accounts are open until
    the snapshot; the transactions stage derives that window from the accounts, so it is not stored here.
    """
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    n = len(src)
    if phase is None:
        phase = NO_ANCHOR if pattern == POISSON else 0

    def full(value, dtype):
        return np.broadcast_to(np.asarray(value, dtype), (n,)).copy()

    return {
        "src_account_id": src, "dst_account_id": dst,
        "_pattern": full(pattern, np.int8), "_channel": full(channel, np.int8),
        "_mu": full(mu, np.float32), "_sigma": full(sigma, np.float32), "_rate": full(rate, np.float32),
        "_phase": full(phase, np.int64), "_round_to": full(round_to, np.float32),
    }


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
                  config: GraphgenConfig, start: int, end: int, rng) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Rows of legitimate TRANSFERS_TO edges (see ``TransferPlanner.rows``) and the scheduled bill-splitting loops."""
    pop, decoys = config.population, config.decoys
    amounts = pop.amounts
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

    # Salary: employer -> employee, monthly on the employer's pay day, nearly constant.
    employed = np.flatnonzero(employer_of >= 0)
    pay_day = monthly_phase(people.n, rng, pop.pay_day.low, pop.pay_day.high)[np.maximum(employer_of, 0)]  # of each user's employer
    if len(employed):
        employer = employer_of[employed]
        salary = amounts.salary.edge_mu(rng, len(employed))
        plan.add(acct[employer], acct[employed], MONTHLY, CHANNEL["transfer"], salary, amounts.salary.jitter, phase=pay_day[employed])

    # Rent: renting households (all flat-shares) pay a landlord monthly, a round constant sum; flatmates
    # pay the head their share a few days before.
    landlords = persons[rng.random(len(persons)) < pop.landlord_share]
    renting = np.flatnonzero(people.roommates | (rng.random(people.n_households) < pop.renter_share))
    if len(landlords) and len(renting):
        rent = amounts.rent.draw(rng, len(renting))
        rent_day = monthly_phase(len(renting), rng, *RENT_DAYS)
        landlord = landlords[choose(popularity(len(landlords), LANDLORD_POPULARITY, rng), len(renting), rng)]
        plan.add(acct[heads[renting]], acct[landlord], MONTHLY, CHANNEL["standing_order"], np.log(rent), round_to=10,
                 phase=rent_day)
        shares = renting[people.roommates[renting]]
        share_sizes = sizes[shares]
        rank = ranks_within(share_sizes)
        flat = np.repeat(np.arange(len(shares)), share_sizes)
        member = people.household_members[people.household_offsets[shares][flat] + rank]
        payer = rank > 0
        where = np.searchsorted(renting, shares)[flat][payer]
        part = rent[where] / share_sizes[flat][payer] * rng.uniform(*FLATMATE_PART_NOISE, int(payer.sum()))
        plan.add(acct[member[payer]], acct[heads[shares][flat][payer]], MONTHLY, CHANNEL["p2p"], np.log(part),
                 phase=np.maximum(rent_day[where] - monthly_phase(int(payer.sum()), rng, *FLATMATE_LEAD_DAYS), 0),
                 round_to=np.where(rng.random(int(payer.sum())) < FLATMATE_ROUND_SHARE, FLATMATE_ROUND_STEP, 0.0))

    # Utilities: each household pays one or more of a few utility companies by direct debit.
    if len(people.of_kind(UTILITY)):
        n_util = config.population.utilities_per_household.draw(rng, people.n_households)
        payer = np.repeat(heads, n_util)
        plan.add(acct[payer], popular(UTILITY, UTILITY_POPULARITY, len(payer)), MONTHLY, CHANNEL["direct_debit"],
                 amounts.utility.edge_mu(rng, len(payer)), amounts.utility.jitter, phase=monthly_phase(len(payer), rng))

    account_type = accounts.column("account_type").to_numpy()
    owner = accounts.column("_owner").to_numpy()
    # Own transfers: people with savings move money there by standing order, the employed right after payday.
    savings = np.flatnonzero((account_type == SAVINGS) & (rng.random(len(owner)) < SAVINGS_ORDER_SHARE))
    saver = owner[savings]
    phase = np.where(employer_of[saver] >= 0, pay_day[saver] + monthly_phase(len(savings), rng, *SAVINGS_AFTER_PAYDAY_DAYS), monthly_phase(len(savings), rng))
    plan.add(acct[saver], savings, MONTHLY, CHANNEL["standing_order"], np.log(amounts.savings_order.draw(rng, len(savings))), 0.0,
             phase=phase % MONTH, round_to=np.where(rng.random(len(savings)) < SAVINGS_ROUND_SHARE, 10.0, 0.0))

    # Credit cards paid off from checking a day or three after payday: big, varying, right after money came in.
    cards = np.flatnonzero((account_type == CREDIT_CARD) & (rng.random(len(owner)) < pop.card_repayment_share))
    card_owner = owner[cards]
    after_payday = np.where(employer_of[card_owner] >= 0, pay_day[card_owner] + monthly_phase(len(cards), rng, *CARD_REPAYMENT_AFTER_PAYDAY_DAYS), monthly_phase(len(cards), rng))
    plan.add(acct[card_owner], cards, MONTHLY, CHANNEL["transfer"], amounts.card_repayment.edge_mu(rng, len(cards)), amounts.card_repayment.jitter,
             phase=after_payday % MONTH)

    # Household pot: employed family members pass part of their pay to the head, the day it arrives.
    in_family = np.flatnonzero((people.household >= 0) & (employer_of >= 0))
    in_family = in_family[~people.roommates[people.household[in_family]] & (heads[people.household[in_family]] != in_family)]
    pot = in_family[rng.random(len(in_family)) < pop.household_pot_share]
    plan.add(acct[pot], acct[heads[people.household[pot]]], MONTHLY, CHANNEL["transfer"],
             np.log(amounts.household_pot.draw(rng, len(pot))), POT_JITTER,
             phase=(pay_day[pot] + monthly_phase(len(pot), rng, *POT_AFTER_PAYDAY_DAYS)) % MONTH,
             round_to=np.where(rng.random(len(pot)) < POT_ROUND_SHARE, 50.0, 0.0))

    per_day = 1.0 / (MONTH / DAY)
    horizon_days = (end - start) / DAY

    def person_to_person(n: int) -> np.ndarray:
        return person_to_person_channels(n, pop.instant_share, rng)

    # One-off large payments to another person or a merchant: a used car, a deposit, tuition.
    big = persons[rng.random(len(persons)) < pop.large_payment_share]
    if len(big):
        to_merchant = (rng.random(len(big)) < LARGE_TO_MERCHANT_SHARE) & (len(people.of_kind(MERCHANT)) > 0)
        payee = acct[persons[rng.integers(0, len(persons), len(big))]]
        if to_merchant.any():
            payee[to_merchant] = popular(MERCHANT, MERCHANT_POPULARITY, int(to_merchant.sum()))
        plan.add(acct[big], payee, POISSON, person_to_person(len(big)), amounts.large_payment.edge_mu(rng, len(big)),
                 amounts.large_payment.jitter, rate=ONE_OFF_RATE / horizon_days, round_to=np.where(rng.random(len(big)) < pop.round_amount_share, 100.0, 0.0))

    if len(people.of_kind(MERCHANT)):
        n_merchants = pop.merchants_per_user.draw(rng, len(persons))
        buyer = np.repeat(persons, n_merchants)
        merchant = popular(MERCHANT, MERCHANT_POPULARITY, len(buyer))
        # Credit-card holders put some shops on the card; the employed spend more right after payday (their
        # card edges carry their pay day as an anchor).
        card_of = first_card_of(accounts, people.n)
        all_cards = np.flatnonzero(account_type == CREDIT_CARD)[::-1]
        on_card = (card_of[buyer] >= 0) & (rng.random(len(buyer)) < pop.card_purchase_share)
        plan.add_rows(purchase_rows(np.where(on_card, card_of[buyer], acct[buyer]), merchant, pop, rng,
                                        anchor=np.where(employer_of[buyer] >= 0, pay_day[buyer], NO_ANCHOR)))
        # Cards run up to most of their limit at once now and then: a holiday, a laptop; new arrivals furnish a flat.
        furnishing = people.in_households(people.arrivals & (rng.random(people.n_households) < config.decoys.arrivals_spree_share))
        spree = all_cards[furnishing[owner[all_cards]] | (rng.random(len(all_cards)) < pop.card_spree_share)]
        limit = accounts.column("credit_limit").to_numpy()[spree]
        plan.add(spree, popular(MERCHANT, MERCHANT_POPULARITY, len(spree)), POISSON, CHANNEL["card"],
                 np.log(limit * rng.uniform(*CARD_SPREE_LIMIT_SHARE, len(spree))), rate=ONE_OFF_RATE / horizon_days)

    # Friends: person-to-person payments, some in round sums.
    n_friends = pop.friends_per_user.draw(rng, len(persons))
    payer = np.repeat(persons, n_friends)
    friend = persons[rng.integers(0, len(persons), len(payer))] if len(persons) else payer
    plan.add_rows(friend_payment_rows(acct[payer], acct[friend], pop, rng))

    # Family back-and-forth: each member pays the next one and back, so families form short loops too.
    families = np.flatnonzero((sizes >= 2) & ~people.roommates)
    fam_sizes = sizes[families]
    rank = ranks_within(fam_sizes)
    base = np.repeat(people.household_offsets[families], fam_sizes)
    member = people.household_members[base + rank]
    nxt = people.household_members[base + (rank + 1) % np.repeat(fam_sizes, fam_sizes)]
    for a, b in ((member, nxt), (nxt, member)):
        plan.add(acct[a], acct[b], POISSON, person_to_person(len(a)), amounts.family.edge_mu(rng, len(a)), amounts.family.jitter,
                 rate=pop.family_payments_per_month * per_day, round_to=np.where(rng.random(len(a)) < pop.round_amount_share, 10.0, 0.0))

    # Crypto purchases at exchanges, the same places fraud cashes out.
    if len(people.of_kind(EXCHANGE)):
        buyers = persons[rng.random(len(persons)) < pop.crypto_share]
        plan.add(acct[buyers], popular(EXCHANGE, EXCHANGE_POPULARITY, len(buyers)), POISSON, CHANNEL["instant"],
                 amounts.crypto.edge_mu(rng, len(buyers)), amounts.crypto.jitter, rate=per_day, round_to=50.0)

    # Online sellers: paid once each by many strangers, as mules are by victims.
    sellers = persons[rng.random(len(persons)) < decoys.seller_share]
    if len(sellers):
        seller = np.repeat(sellers, decoys.sales.draw(rng, len(sellers)))
        buyer = persons[rng.integers(0, len(persons), len(seller))]
        plan.add(acct[buyer], acct[seller], POISSON, person_to_person(len(seller)), amounts.sale.edge_mu(rng, len(seller)),
                 amounts.sale.jitter, rate=ONE_OFF_RATE / horizon_days, round_to=np.where(rng.random(len(seller)) < pop.round_amount_share, 5.0, 0.0))

    scheduled = [_bill_split_loops(people, acct, opened, config, start, end, rng),
                 _collections(people, acct, opened, config, start, end, rng),
                 _friend_cycles(people, acct, opened, config, start, end, rng),
                 _resales(people, acct, opened, config, start, end, rng),
                 _lettings(people, acct, opened, config, start, end, rng)]
    scheduled = {k: np.concatenate([part[k] for part in scheduled]) for k in scheduled[0]}
    to_others = scheduled["src_account_id"] != scheduled["dst_account_id"]  # nobody pays themselves
    scheduled = {k: v[to_others] for k, v in scheduled.items()}
    plan.add(scheduled["src_account_id"], scheduled["dst_account_id"], PLANNED, scheduled["channel"], 0.0)
    return plan.rows(), scheduled


def co_user_edges(groups: list[dict[str, np.ndarray]], acct: np.ndarray, config: GraphgenConfig, rng) -> dict[str, np.ndarray]:
    """Payments among people who share a device or an address (see :func:`graphgen.population.links.co_users`):
    the helped repay their helper now and then, colleagues chip in once, tenants pay rent monthly."""
    group = {k: np.concatenate([g[k] for g in groups]) for k in groups[0]}
    pop = config.population
    how, n = group["how"], len(group["how"])
    amounts = pop.amounts
    mu = np.select([how == REPAYS, how == CHIPS_IN], [amounts.family.edge_mu(rng, n), amounts.collection_share.edge_mu(rng, n)],
                   np.log(amounts.rent.draw(rng, n) / 2))
    rate = np.where(how == REPAYS, pop.family_payments_per_month * DAY / MONTH, np.where(how == CHIPS_IN, PAID_ONCE, 0.0))
    return transfer_rows(acct[group["user"]], acct[group["payee"]], np.where(how == PAYS_RENT, MONTHLY, POISSON),
                         np.where(how == PAYS_RENT, CHANNEL["standing_order"], CHANNEL["p2p"]), mu,
                         np.where(how == REPAYS, amounts.family.jitter, 0.0), rate=rate,
                         phase=np.where(how == PAYS_RENT, (rng.uniform(*RENT_DAYS, n) * DAY).astype(np.int64), NO_ANCHOR),
                         round_to=np.where(how == PAYS_RENT, 10.0, 0.0))


def _collections(people: People, acct: np.ndarray, opened: np.ndarray, config: GraphgenConfig, start: int, end: int, rng):
    """Legitimate pass-through: someone collects from friends within two days, then pays it all on.

    A trip organiser or a club treasurer looks like a mule: several people pay in, and within days the
    money leaves again. Payers are established customers; amounts are often round.
    """
    decoys, pop = config.decoys, config.population
    persons = people.of_kind(PERSON)
    payers_pool = _established(people, acct, opened, start)
    collectors = persons[(rng.random(len(persons)) < decoys.collector_share) & (opened[acct[persons]] < end - COLLECTION_DAYS * DAY)]
    if not len(collectors) or not len(payers_pool):
        return payment_rows(*(np.zeros(0, np.int64),) * 4, CHANNEL["p2p"])
    collector = np.repeat(collectors, decoys.collections.draw(rng, len(collectors)))
    begin = uniform_times(np.maximum(start, opened[acct[collector]]), np.full(len(collector), end - COLLECTION_DAYS * DAY), rng)
    share = pop.amounts.collection_share.draw(rng, len(collector))  # what each friend owes
    n_payers = decoys.collection_payers.draw(rng, len(collector))
    event = np.repeat(np.arange(len(collector)), n_payers)
    payer = payers_pool[rng.integers(0, len(payers_pool), len(event))]
    paid_in = round_amounts(share[event] * rng.uniform(*COLLECTION_PART_NOISE, len(event)), COLLECTION_ROUND_SHARE, 5.0, rng)
    t_in = begin[event] + (rng.uniform(*COLLECTION_PAY_IN_DAYS, len(event)) * DAY).astype(np.int64)
    total = np.bincount(event, weights=paid_in, minlength=len(collector))
    payee = payers_pool[rng.integers(0, len(payers_pool), len(collector))]  # the venue, the shop, the host
    t_out = begin + (rng.uniform(*COLLECTION_PAY_OUT_DAYS, len(collector)) * DAY).astype(np.int64)
    paid_out = round_amounts(total * rng.uniform(*COLLECTION_PASSED_ON, len(collector)), pop.round_amount_share, 10.0, rng)
    channels = person_to_person_channels(len(event) + len(collector), pop.instant_share, rng)
    # Payments to oneself (a payer or payee who is the collector) are dropped by the caller.
    return payment_rows(np.concatenate([acct[payer], acct[collector]]), np.concatenate([acct[collector[event]], acct[payee]]),
                        np.concatenate([t_in, t_out]), np.concatenate([paid_in, paid_out]), channels)


def _friend_cycles(people: People, acct: np.ndarray, opened: np.ndarray, config: GraphgenConfig, start: int, end: int, rng):
    """Large, time-ordered money cycles among friends: rotating savings circles and loans passed on.

    A savings circle passes a pot around its members in a fixed order, week after week or month after month: the same
    shape as kiting (repeated, time-ordered cycles of large sums), without the escalation or the cash-out.
    A loan passed on goes around a circle of friends once, days between hops.
    """
    decoys = config.decoys
    pool = _established(people, acct, opened, start)
    circles = (pool[rng.random(len(pool)) < decoys.savings_circle_share / decoys.circle_size.median] if len(pool) else pool)
    loans = (pool[rng.random(len(pool)) < decoys.loan_chain_share / decoys.circle_size.median] if len(pool) else pool)
    period = (CIRCLE_PERIOD_DAYS[choose(CIRCLE_PERIOD_SHARES, len(circles) + len(loans), rng)] * DAY).astype(np.int64)
    size = np.concatenate([decoys.circle_size.draw(rng, len(circles)), decoys.circle_size.draw(rng, len(loans))])
    # A circle meets as often as its period allows; hops past the snapshot are dropped below.
    rounds = np.concatenate([(end - start) // period[:len(circles)] + 1, np.ones(len(loans), np.int64)])
    is_loan = np.arange(len(size)) >= len(circles)
    member = _drawn_from(pool, int(size.sum()), rng)
    member_base = np.cumsum(size) - size
    # Newcomers join circles weeks after opening their account (migrant communities run many of them).
    newcomers = _opened_between(people, acct, opened, start - NEWCOMER_DAYS * DAY, start + NEWCOMER_DAYS * DAY)
    newcomer_rate = np.where(rng.random(len(size)) < decoys.newcomer_circle_share, rng.uniform(*NEWCOMER_SHARE, len(size)), 0.0)
    joins = (rng.random(len(member)) < np.repeat(newcomer_rate, size)) & (len(newcomers) > 0)
    member[joins] = _drawn_from(newcomers, int(joins.sum()), rng)
    latest_opened = np.zeros(len(size), dtype=np.int64)
    np.maximum.at(latest_opened, np.repeat(np.arange(len(size)), size), opened[acct[member]])
    hops = size * rounds
    hop_cycle = np.repeat(np.arange(len(size)), hops)
    hop_in_cycle = ranks_within(hops)
    k = size[hop_cycle]
    hop_round, hop_index = hop_in_cycle // k, hop_in_cycle % k
    loan_hop = is_loan[hop_cycle]
    # Each circle and loan keeps its own pace: some pass the pot round within an evening, others over days.
    pace_days = np.where(is_loan, rng.uniform(*LOAN_HOP_DAYS, len(size)), decoys.circle_hop_hours.draw(rng, len(size)) * HOUR / DAY)
    pace_days = np.where(is_loan, pace_days, np.minimum(pace_days, period / DAY / size))  # a round ends before the next
    gap_days = pace_days[hop_cycle] * rng.uniform(*HOP_SHARE_OF_PACE, len(hop_cycle))
    gap = (gap_days * DAY).astype(np.int64)
    gap[hop_index == 0] = 0
    within_round = cumsum_within(gap, np.repeat(size, rounds))
    round_length = np.zeros(len(size), np.int64)
    np.maximum.at(round_length, hop_cycle, within_round)
    begin = uniform_times(np.full(len(size), start), np.maximum(start, np.where(is_loan, end - round_length, start + period - round_length)), rng)
    begin = np.maximum(begin, latest_opened + (rng.uniform(*NEWCOMER_JOIN_DAYS, len(size)) * DAY).astype(np.int64))
    ts = begin[hop_cycle] + hop_round * period[hop_cycle] + within_round
    pot = np.where(is_loan, rng.uniform(*LOAN_AMOUNT, len(size)), decoys.circle_contribution.draw(rng, len(size)))
    amount = round_amounts(pot[hop_cycle] * (1 + CIRCLE_NOISE * rng.standard_normal(len(hop_cycle))), CIRCLE_ROUND_SHARE, 10.0, rng)
    src = acct[member[member_base[hop_cycle] + hop_index]]
    dst = acct[member[member_base[hop_cycle] + (hop_index + 1) % k]]
    done = ts < end
    channel = np.where(loan_hop, CHANNEL["transfer"], CHANNEL["p2p"])
    return payment_rows(src[done], dst[done], ts[done], amount[done], channel[done])


def _resales(people: People, acct: np.ndarray, opened: np.ndarray, config: GraphgenConfig, start: int, end: int, rng):
    """Resellers: strangers pay once for goods, and each sale is passed on to one supplier hours later, less a
    margin: fan-in from strangers and fast pass-through, as first-layer mules show."""
    decoys, pop = config.decoys, config.population
    pool = _established(people, acct, opened, start)
    resellers = pool[rng.random(len(pool)) < decoys.reseller_share]
    supplier = _drawn_from(pool, len(resellers), rng)
    sale = np.repeat(np.arange(len(resellers)), decoys.reseller_sales.draw(rng, len(resellers)))
    buyer = _drawn_from(pool, len(sale), rng)
    paid = round_amounts(pop.amounts.resale.draw(rng, len(sale)), pop.round_amount_share, 5.0, rng)
    t_in = uniform_times(np.full(len(sale), start), np.full(len(sale), end), rng)
    t_out = t_in + (decoys.reseller_pass_hours.draw(rng, len(sale)) * HOUR).astype(np.int64)
    passed = round_amounts(paid * (1 - decoys.reseller_margin.draw(rng, len(resellers))[sale]), pop.round_amount_share, 5.0, rng)
    return _pass_on(acct[buyer], acct[resellers[sale]], acct[supplier[sale]], t_in, t_out, paid, passed, end, pop, rng)


def _lettings(people: People, acct: np.ndarray, opened: np.ndarray, config: GraphgenConfig, start: int, end: int, rng):
    """Letting agents: tenants pay rent to the agent each month, and the agent passes it to the flat's landlord
    within days, less a fee: the same tenants every month, so repeated rather than one-off payers."""
    decoys, pop = config.decoys, config.population
    pool = _established(people, acct, opened, start)
    agents = pool[rng.random(len(pool)) < decoys.letting_agent_share]
    agent_of_flat = np.repeat(np.arange(len(agents)), decoys.agent_flats.draw(rng, len(agents)))
    flat_agent = agents[agent_of_flat]
    n = len(flat_agent)
    tenant, landlord = _drawn_from(pool, n, rng), _drawn_from(pool, n, rng)
    rent = round_amounts(pop.amounts.rent.draw(rng, n), 1.0, 10.0, rng)
    months = int(np.ceil((end - start) / MONTH)) + 1
    flat = np.repeat(np.arange(n), months)
    month = np.tile(np.arange(months), n)
    t_in = start + month * MONTH + (rng.uniform(*RENT_DAYS, n) * DAY).astype(np.int64)[flat]
    t_out = t_in + (decoys.agent_pass_days.draw(rng, len(flat)) * DAY).astype(np.int64)
    passed = np.round(rent * (1 - decoys.agent_fee.draw(rng, len(agents))[agent_of_flat]), 2)
    return _pass_on(acct[tenant[flat]], acct[flat_agent[flat]], acct[landlord[flat]], t_in, t_out, rent[flat],
                    passed[flat], end, pop, rng, pay_in=CHANNEL["standing_order"], pay_out=CHANNEL["transfer"])


def _established(people: People, acct: np.ndarray, opened: np.ndarray, start: int) -> np.ndarray:
    """People whose account was open before the horizon."""
    return _opened_between(people, acct, opened, np.iinfo(np.int64).min, start)


def _opened_between(people: People, acct: np.ndarray, opened: np.ndarray, low: int, high: int) -> np.ndarray:
    """People whose account was opened in ``[low, high)``."""
    persons = people.of_kind(PERSON)
    when = opened[acct[persons]]
    return persons[(when >= low) & (when < high)]


def _drawn_from(pool: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` people drawn from ``pool`` with replacement (everything drawn from an empty pool is empty too)."""
    return pool[rng.integers(0, max(len(pool), 1), n)]


def _pass_on(payer, middle, payee, t_in, t_out, paid, passed, end, pop, rng, pay_in=None, pay_out=None):
    """Payments ``payer -> middle`` at ``t_in`` passed on ``middle -> payee`` at ``t_out`` (both before ``end``);
    channels are person-to-person unless given."""
    came_in = t_in < end
    went_on = came_in & (t_out < end)

    def channels(n: int, fixed):
        return person_to_person_channels(n, pop.instant_share, rng) if fixed is None else np.full(n, fixed)

    return payment_rows(np.concatenate([payer[came_in], middle[went_on]]), np.concatenate([middle[came_in], payee[went_on]]),
                        np.concatenate([t_in[came_in], t_out[went_on]]), np.concatenate([paid[came_in], passed[went_on]]),
                        np.concatenate([channels(int(came_in.sum()), pay_in), channels(int(went_on.sum()), pay_out)]))


def _bill_split_loops(people: People, acct: np.ndarray, opened: np.ndarray, config: GraphgenConfig, start: int, end: int, rng):
    """Flat-shares settling a bill around the flat: A->B->C->A within hours, once to three times.

    Time-ordered hops at short intervals, like kiting, but small amounts that neither carry around the
    loop nor escalate: the look-alike that keeps a cycle query honest.
    """
    sizes = people.household_size
    flats = np.flatnonzero(people.roommates & (sizes >= 3) & (rng.random(people.n_households) < config.decoys.bill_split_loop_share))
    rounds = choose(BILL_SPLIT_ROUNDS, len(flats), rng) + 1
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
    round_start = uniform_times(round_earliest, np.full(len(round_flat), end - BILL_SPLIT_LAST_START_DAYS * DAY), rng)
    gaps = (rng.uniform(*BILL_SPLIT_HOP_HOURS, len(src)) * HOUR).astype(np.int64)
    ts = round_start[round_of_hop] + cumsum_within(gaps, hops_per_round)
    amount = round_amounts(config.population.amounts.bill_split.draw(rng, len(src)), config.population.round_amount_share, 5.0, rng)
    done = ts <= end  # a loop started near the snapshot may not have closed yet
    return payment_rows(src[done], dst[done], ts[done], amount[done], CHANNEL["p2p"])
